import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Login attempts are limited per client address ("ip") and per account ("username"), so guessing one
 * password from many addresses, or many passwords from one address, both hit a wall (429).
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    if (throttlerName === 'username') {
      const body = context.switchToHttp().getRequest<{ body?: { username?: unknown } }>().body;
      const username = typeof body?.username === 'string' ? body.username.toLowerCase().slice(0, 64) : '';
      return `login:username:${username}`;
    }
    return `login:ip:${tracker}`;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { Errors } from '@/common/errors';
import { maskPersonalNumbers } from '@/common/logging';
import { AuditService } from '@/modules/audit/audit.service';
import { PASSWORD_HASH_OPTIONS, toUserResponse, UsersService } from '@/modules/users/users.service';
import { LoginView } from './auth.dto';

export type LoginResponse = LoginView;

export interface TokenPayload {
  sub: string;
  /** The account's token generation at login (app_user.token_generation). */
  gen: number;
}

@Injectable()
export class AuthService {
  // Verifying against a real hash when the user does not exist keeps the answer time the same,
  // so the response does not reveal which usernames exist.
  private readonly dummyHash = argon2.hash('liudong-timing-equaliser', PASSWORD_HASH_OPTIONS);

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(username: string, password: string): Promise<LoginResponse> {
    const user = await this.users.findForLogin(username);
    const ok = await argon2.verify(user?.passwordHash ?? (await this.dummyHash), password);
    if (!user || !ok || !user.active) {
      // Filed under the account's place, so its admins see the attempts; an unknown username has no place (the root's admins see it).
      await this.audit.record({
        actor: null,
        action: 'login_failed',
        entity: 'user',
        entityId: user?.id ?? null,
        // A clerk who types an ID number into the username box must not leave it in the audit log.
        detail: { username: maskPersonalNumbers(username) },
        jurisdictionCode: user?.jurisdictionCode ?? null,
      });
      throw Errors.unauthorized('用户名或密码错误');
    }
    await this.audit.record({ actor: user, action: 'login', entity: 'user', entityId: user.id });
    const payload: TokenPayload = { sub: user.id, gen: user.tokenGeneration };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.jwtTtlSeconds, user: toUserResponse(await this.users.load(user.id)) };
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { Errors } from '@/common/errors';
import { AuthUser, Role } from '@/common/scope';
import { UsersService } from '@/modules/users/users.service';
import { COLLECTOR_MAY_CALL, IS_PUBLIC, ROLES_KEY, SUPERVISOR_WRITES } from '@/common/auth.decorators';
import { TokenPayload } from './auth.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Global guard: a valid token of an active account, of its current generation, on every route not marked @Public, then the role rules. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw Errors.unauthorized();
    let payload: TokenPayload;
    try {
      // The algorithm is pinned in JwtModule's verifyOptions: `alg: none` and HS/RS confusion are refused.
      payload = await this.jwt.verifyAsync<TokenPayload>(token);
    } catch {
      throw Errors.unauthorized();
    }
    if (typeof payload.sub !== 'string') throw Errors.unauthorized();
    const account = await this.users.findForAuth(payload.sub);
    // A token signed before the account's last password change, reset or reactivation (or before generations existed) is over.
    if (!account || payload.gen !== account.tokenGeneration) throw Errors.unauthorized();
    const user = account.user;
    request.user = user;

    // Supervisors watch and report; they never change a record (only their own affairs: SupervisorMayWrite).
    if (user.role === 'supervisor' && !READ_METHODS.has(request.method) && !this.reflector.getAllAndOverride<boolean>(SUPERVISOR_WRITES, targets)) {
      throw Errors.forbidden('READ_ONLY_ROLE', '督导账号为只读，不能修改数据');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // A grid worker reaches only what names it: its declarations, its account, the place table (field-collection.md).
    if (user.role === 'collector' && !roles?.includes('collector') && !this.reflector.getAllAndOverride<boolean>(COLLECTOR_MAY_CALL, targets)) {
      throw Errors.forbidden('ROLE_NOT_ALLOWED', '网格员账号只能采集和查看本人的采集信息');
    }
    if (roles && !roles.includes(user.role)) {
      throw Errors.forbidden('ROLE_NOT_ALLOWED', '当前账号角色无权执行此操作');
    }
    return true;
  }
}

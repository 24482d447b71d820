import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { isInSubtree, subtreeRange } from './division-code';
import { Errors } from './errors';
import { valuesOf } from '@/common/labels';

// Jurisdiction scoping in one place: every module asks these helpers whether a code is in the
// caller's subtree, and builds its SQL filters from scopeRange, so no list is filtered after loading.

export const ROLES = valuesOf('role');
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode: string;
}

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});

export function inScope(user: Pick<AuthUser, 'jurisdictionCode'>, code: string): boolean {
  return isInSubtree(code, user.jurisdictionCode);
}

/** Throws 403 naming the field when the code lies outside the caller's subtree. */
export function assertInScope(user: Pick<AuthUser, 'jurisdictionCode'>, code: string, field?: string): void {
  if (!inScope(user, code)) throw Errors.outOfJurisdiction(field);
}

/** Inclusive code bounds of the caller's subtree, for `column BETWEEN :low AND :high` (one index range scan). */
export function scopeRange(user: Pick<AuthUser, 'jurisdictionCode'>): { low: string; high: string } {
  const [low, high] = subtreeRange(user.jurisdictionCode);
  return { low, high };
}

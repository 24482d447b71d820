import { SetMetadata } from '@nestjs/common';
import type { Role } from '@/common/scope';

export const IS_PUBLIC = 'liudong:isPublic';
export const ROLES_KEY = 'liudong:roles';

/** No token needed (login, health, public certificate verification). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the handler. Supervisors are read-only regardless, but for SupervisorMayWrite. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const SUPERVISOR_WRITES = 'liudong:supervisorWrites';
/**
 * A write a supervisor may make although supervisors are read-only: about their own account or their oversight (marking
 * a notification read, 催办, confirming a month) — never about a person, a case or a message between the sides.
 */
export const SupervisorMayWrite = () => SetMetadata(SUPERVISOR_WRITES, true);

export const COLLECTOR_MAY_CALL = 'liudong:collectorMayCall';
/**
 * A route a grid worker (collector) may call besides those naming it in @Roles: its own account and the place table
 * its phone picks places from. Every other route refuses a collector (AuthGuard), so a new route is closed to it unless
 * it says otherwise.
 */
export const CollectorMayCall = () => SetMetadata(COLLECTOR_MAY_CALL, true);

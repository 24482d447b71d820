import { SetMetadata } from '@nestjs/common';
import type { Role } from '@/common/scope';

export const IS_PUBLIC = 'liudong:isPublic';
export const ROLES_KEY = 'liudong:roles';

/** No token needed (login, health, public certificate verification). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the handler. Supervisors are read-only everywhere regardless. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

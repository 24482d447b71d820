import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource, Repository } from 'typeorm';
import { Errors } from '@/common/errors';
import { levelOf } from '@/common/division-code';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { assertInScope, AuthUser, inScope, Role, scopeRange } from '@/common/scope';
import { AuditService } from '@/modules/audit/audit.service';
import { toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { AuthAccount, AuthCache } from './auth-cache';
import { User } from './user.entity';
import { CreateUserDto, UpdateUserDto, UserQuery, UserView } from './users.dto';

export type UserResponse = UserView;

export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    phone: user.phone,
    role: user.role,
    active: user.active,
    jurisdiction: user.jurisdiction ? toJurisdictionRef(user.jurisdiction) : { code: user.jurisdictionCode, name: '', level: 'country' },
  };
}

export const PASSWORD_HASH_OPTIONS = { type: argon2.argon2id } as const;

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jurisdictions: JurisdictionsService,
    private readonly audit: AuditService,
    private readonly authCache: AuthCache,
  ) {}

  async create(admin: AuthUser, dto: CreateUserDto): Promise<UserResponse> {
    assertInScope(admin, dto.jurisdictionCode, 'jurisdictionCode');
    if (isPeerAdmin(admin, dto)) throw peerAdmin();
    await this.jurisdictions.require(dto.jurisdictionCode, 'jurisdictionCode');
    assertCollectorPlace(dto.role, dto.jurisdictionCode);
    if (await this.users.createQueryBuilder('u').where('lower(u.username) = lower(:username)', dto).getExists()) {
      throw usernameTaken();
    }
    const passwordHash = await argon2.hash(dto.password, PASSWORD_HASH_OPTIONS);
    const id = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(User).save(
        manager.getRepository(User).create({
          username: dto.username,
          passwordHash,
          displayName: dto.displayName,
          phone: dto.phone || null,
          role: dto.role,
          jurisdictionCode: dto.jurisdictionCode,
        }),
      );
      await this.audit.record(
        { actor: admin, action: 'create', entity: 'user', entityId: saved.id, detail: { role: dto.role, jurisdictionCode: dto.jurisdictionCode } },
        manager,
      );
      return saved.id;
    });
    return toUserResponse(await this.load(id));
  }

  async list(admin: AuthUser, query: UserQuery): Promise<Page<UserResponse>> {
    const { low, high } = scopeRange(admin);
    const qb = this.users
      .createQueryBuilder('u')
      .leftJoinAndSelect('u.jurisdiction', 'j')
      .where('u.jurisdiction_code BETWEEN :low AND :high', { low, high })
      .orderBy('u.jurisdiction_code')
      .addOrderBy('u.username')
      .offset(offsetOf(query))
      .limit(query.pageSize);
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.q) {
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(u.username ILIKE :pattern OR u.display_name ILIKE :pattern)', { pattern });
    }
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(rows.map(toUserResponse), total, query);
  }

  async get(admin: AuthUser, id: string): Promise<UserResponse> {
    return toUserResponse(await this.loadInScope(admin, id));
  }

  async update(admin: AuthUser, id: string, dto: UpdateUserDto): Promise<UserResponse> {
    const user = await this.loadInScope(admin, id);
    if (user.id === admin.id && (dto.active === false || (dto.role && dto.role !== 'admin'))) {
      throw Errors.conflict('CANNOT_DEMOTE_SELF', '不能停用自己的账号或取消自己的管理员角色');
    }
    // Its own name and password an admin changes itself; another admin of its place, or making one, is the level above's.
    const peer = (role: Role) => isPeerAdmin(admin, { role, jurisdictionCode: user.jurisdictionCode });
    if (user.id !== admin.id && (peer(user.role) || peer(dto.role ?? user.role))) throw peerAdmin();
    if (dto.role !== undefined) assertCollectorPlace(dto.role, user.jurisdictionCode);
    const changes: Partial<User> = {};
    if (dto.displayName !== undefined) changes.displayName = dto.displayName;
    if (dto.phone !== undefined) changes.phone = dto.phone.trim() || null;
    if (dto.role !== undefined) changes.role = dto.role;
    if (dto.active !== undefined) changes.active = dto.active;
    if (dto.password !== undefined) changes.passwordHash = await argon2.hash(dto.password, PASSWORD_HASH_OPTIONS);
    // A new password (set by the account itself or reset by an admin) and a deactivation or reactivation end every
    // token signed before: the guard refuses a token whose generation is no longer the account's.
    const endsTokens = dto.password !== undefined || (dto.active !== undefined && dto.active !== user.active);
    await this.dataSource.transaction(async (manager) => {
      if (Object.keys(changes).length > 0) {
        await manager.getRepository(User).update({ id }, endsTokens ? { ...changes, tokenGeneration: () => 'token_generation + 1' } : changes);
      }
      // Field names only: the audit log never holds the password or its hash.
      await this.audit.record(
        {
          actor: admin,
          action: 'update',
          entity: 'user',
          entityId: id,
          detail: { fields: Object.keys(dto).filter((k) => dto[k as keyof UpdateUserDto] !== undefined) },
        },
        manager,
      );
    });
    await this.authCache.changed(id);
    return toUserResponse(await this.load(id));
  }

  /** The signed-in user as the guard sees it with its current token generation, or null when the account is gone or deactivated. */
  async findForAuth(id: string): Promise<AuthAccount | null> {
    const cached = this.authCache.get(id);
    if (cached !== undefined) return cached;
    const user = await this.users.findOneBy({ id });
    const account: AuthAccount | null =
      user && user.active
        ? {
            user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role, jurisdictionCode: user.jurisdictionCode },
            tokenGeneration: user.tokenGeneration,
          }
        : null;
    this.authCache.set(id, account);
    return account;
  }

  /** Whoever the account is now, active or not: the author a background job (an import) acts as. */
  async asUser(id: string): Promise<AuthUser> {
    const user = await this.users.findOneByOrFail({ id });
    return { id: user.id, username: user.username, displayName: user.displayName, role: user.role, jurisdictionCode: user.jurisdictionCode };
  }

  /** For login only: includes the password hash. */
  findForLogin(username: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').addSelect('u.passwordHash').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  async load(id: string): Promise<User> {
    const user = await this.users.findOne({ where: { id }, relations: { jurisdiction: true } });
    if (!user) throw Errors.notFound('用户');
    return user;
  }

  /** An account the admin may change (in its subtree, not a peer admin; its own is), or 404/403 as update answers. */
  async manageable(admin: AuthUser, id: string): Promise<User> {
    const user = await this.loadInScope(admin, id);
    if (user.id !== admin.id && isPeerAdmin(admin, user)) throw peerAdmin();
    return user;
  }

  private async loadInScope(admin: AuthUser, id: string): Promise<User> {
    const user = await this.users.findOne({ where: { id }, relations: { jurisdiction: true } });
    // Accounts outside the admin's subtree are reported as absent: their existence is not the admin's business.
    if (!user || !inScope(admin, user.jurisdictionCode)) throw Errors.notFound('用户');
    return user;
  }
}

/**
 * An admin manages accounts strictly below its own level: an admin account at the admin's own place is its peer (it
 * answers to the level above, like the admin itself), so creating, changing or promoting one is refused.
 */
/** A grid worker (网格员) works in a village/community or a township (field-collection.md). */
function assertCollectorPlace(role: Role, code: string): void {
  const level = levelOf(code);
  if (role === 'collector' && level !== 'township' && level !== 'village') {
    throw Errors.validation([{ field: 'jurisdictionCode', message: '网格员须设在乡镇（街道）或村（居）' }]);
  }
}

function isPeerAdmin(admin: AuthUser, account: { role: Role; jurisdictionCode: string }): boolean {
  return account.role === 'admin' && account.jurisdictionCode === admin.jurisdictionCode;
}

function peerAdmin() {
  return Errors.forbidden('PEER_ADMIN', '不能创建或修改本级的管理员账号：本级管理员由上级管理员管理');
}

function usernameTaken() {
  return Errors.conflict('USERNAME_TAKEN', '用户名已被使用', [{ field: 'username', message: '用户名已被使用' }]);
}

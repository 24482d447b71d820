import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { currentRequest } from '@/common/request-context';
import { ROOT_CODE } from '@/common/division-code';
import { AuthUser, scopeRange } from '@/common/scope';
import { AuditLog } from './audit-log.entity';
import { AuditQuery } from './audit.dto';

/** What was done: read, create, update, submit, reply, revoke, login, login_failed, lookup, moved_on, … (each module names its own). */
export type AuditAction = string;

export interface AuditEntry {
  actor: Pick<AuthUser, 'id' | 'username' | 'jurisdictionCode'> | null;
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  /** Never personal data: ids, field names and outcomes only. */
  detail?: Record<string, unknown>;
  /** The place whose admins see the row; the actor's unless given (a failed login: the account's place). */
  jurisdictionCode?: string | null;
}

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  /** Pass the transaction's manager so a change and its audit row commit together. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditLog) : this.logs;
    await repo.insert({
      // jsonb: TypeORM's insert typing does not model arbitrary JSON objects.
      userId: entry.actor?.id ?? null,
      username: entry.actor?.username ?? null,
      jurisdictionCode: entry.jurisdictionCode !== undefined ? entry.jurisdictionCode : (entry.actor?.jurisdictionCode ?? null),
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      ip: currentRequest()?.ip ?? null,
      detail: (entry.detail ?? null) as AuditLog['detail'] & object,
    });
  }

  async list(user: AuthUser, query: AuditQuery): Promise<Page<AuditLogResponse>> {
    const { low, high } = scopeRange(user);
    // Rows of no place (a failed login with an unknown username) belong to the root's admins.
    const placeless = user.jurisdictionCode === ROOT_CODE ? ' OR a.jurisdiction_code IS NULL' : '';
    const qb = this.logs
      .createQueryBuilder('a')
      .where(`(a.jurisdiction_code BETWEEN :low AND :high${placeless})`, { low, high })
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(offsetOf(query))
      .limit(query.pageSize);
    if (query.entity) qb.andWhere('a.entity = :entity', { entity: query.entity });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    if (query.userId) qb.andWhere('a.user_id = :userId', { userId: query.userId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.from) qb.andWhere('a.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.at <= :to', { to: query.to });
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(rows.map(toAuditResponse), total, query);
  }
}

export interface AuditLogResponse {
  id: string;
  at: string;
  userId: string | null;
  username: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  jurisdictionCode: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

function toAuditResponse(a: AuditLog): AuditLogResponse {
  return {
    id: String(a.id),
    at: a.at.toISOString(),
    userId: a.userId,
    username: a.username,
    action: a.action,
    entity: a.entity,
    entityId: a.entityId,
    jurisdictionCode: a.jurisdictionCode,
    ip: a.ip,
    detail: a.detail,
  };
}

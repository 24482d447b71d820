import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { maskName } from '@/common/identity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { EntityManager, Repository } from 'typeorm';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { currentRequest } from '@/common/request-context';
import { ROOT_CODE } from '@/common/division-code';
import { AuthUser, scopeRange } from '@/common/scope';
import { AuditLog } from './audit-log.entity';
import { AuditLogView, AuditQuery } from './audit.dto';

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
  constructor(
    @InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

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
    const { names, subjects } = await this.describe(rows);
    return pageOf(
      rows.map((a) => toAuditResponse(a, a.userId ? (names.get(a.userId) ?? null) : null, subjects.get(`${a.entity}:${a.entityId}`) ?? null)),
      total,
      query,
    );
  }

  /**
   * Who did it, by the name colleagues know them by, and whom each entry is about in words an admin
   * reads (console.md 审计日志): the person's masked name and number for a record about a person, the
   * account's name for one about a user, the place's full name for the rates — never a bare id.
   */
  private async describe(rows: AuditLog[]): Promise<{ names: Map<string, string>; subjects: Map<string, string> }> {
    const userIds = [...new Set(rows.flatMap((a) => (a.userId ? [a.userId] : [])))];
    const about = rows.filter((a) => a.entityId && UUID.test(a.entityId));
    const places = [...new Set(rows.flatMap((a) => (a.entity.startsWith('rate_') && a.entityId && PLACE.test(a.entityId) ? [a.entityId] : [])))];
    const [users, people, fullNames]: [
      { id: string; display_name: string }[],
      { entity: string; entity_id: string; name: string; id_masked: string | null }[],
      Map<string, string>,
    ] = await Promise.all([
      userIds.length ? this.logs.query(`SELECT id, display_name FROM app_user WHERE id = ANY($1::uuid[])`, [userIds]) : [],
      about.length
        ? this.logs.query(
            `SELECT k.entity, k.entity_id, coalesce(p.name, u.display_name) AS name, p.id_masked
                 FROM unnest($1::text[], $2::uuid[]) AS k(entity, entity_id)
                 LEFT JOIN person p ON p.id = CASE k.entity
                   WHEN 'person' THEN k.entity_id
                   WHEN 'inflow' THEN (SELECT person_id FROM inflow WHERE id = k.entity_id)
                   WHEN 'outflow' THEN (SELECT person_id FROM outflow WHERE id = k.entity_id)
                   WHEN 'certificate' THEN (SELECT person_id FROM certificate WHERE id = k.entity_id)
                   WHEN 'exchange' THEN (SELECT c.person_id FROM exchange e JOIN migrant_case c ON c.id = e.case_id WHERE e.id = k.entity_id)
                 END
                 LEFT JOIN app_user u ON k.entity = 'user' AND u.id = k.entity_id
                WHERE p.id IS NOT NULL OR u.id IS NOT NULL`,
            [about.map((a) => a.entity), about.map((a) => a.entityId)],
          )
        : [],
      // The rates' entries name a place: its full name (湖北省随州市广水市杨寨镇).
      this.jurisdictions.fullNames(places),
    ]);
    const subjects = new Map(people.map((p) => [`${p.entity}:${p.entity_id}`, p.id_masked ? `${maskName(p.name)}（${p.id_masked}）` : p.name] as const));
    for (const a of rows) {
      if (a.entity.startsWith('rate_') && a.entityId) subjects.set(`${a.entity}:${a.entityId}`, fullNames.get(a.entityId) || '全国');
    }
    return {
      names: new Map(users.map((u) => [u.id, u.display_name])),
      subjects,
    };
  }
}

const PLACE = /^\d{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuditLogResponse = AuditLogView;

function toAuditResponse(a: AuditLog, displayName: string | null, subject: string | null): AuditLogResponse {
  return {
    id: String(a.id),
    at: a.at.toISOString(),
    userId: a.userId,
    username: a.username,
    displayName,
    action: a.action,
    entity: a.entity,
    entityId: a.entityId,
    subject,
    jurisdictionCode: a.jurisdictionCode,
    ip: a.ip,
    detail: a.detail,
  };
}

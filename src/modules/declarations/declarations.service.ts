import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { ageOn, birthDateOf, maskIdNumber, sexOf } from '@/common/identity';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { AuthUser, scopeRange } from '@/common/scope';
import { todayInShanghai } from '@/common/time';
import { returningRows } from '@/database/sql';
import { AuditService } from '@/modules/audit/audit.service';
import { InflowRegistration } from '@/modules/inflows/inflow-registration.service';
import { InflowResponse } from '@/modules/inflows/inflow-response';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';
import { CreateDeclarationDto, DeclarationChangesDto, DeclarationFormDto, DeclarationQuery, DeclarationStatus, DeclarationView } from './declarations.dto';

/** How far back a phone's `collectedAt` may lie (field-collection.md), and how far ahead a phone's clock may run. */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface Row {
  id: string;
  collector_id: string;
  collector_name: string;
  status: DeclarationStatus;
  destination_code: string;
  form: string;
  collected_at: Date;
  received_at: Date;
  pending_since: Date;
  reviewed_at: Date | null;
  return_reason: string | null;
  inflow_id: string | null;
}

const SELECT = `SELECT d.*, u.display_name AS collector_name FROM declaration d JOIN app_user u ON u.id = d.collector_id`;

const closed = (message: string) => Errors.conflict('DECLARATION_CLOSED', message, [{ field: 'status', message }]);

/**
 * Grid workers' declarations (field-collection.md): a collector sends what it filled in on the phone, checked by the
 * registration's own code (InflowRegistration.prepare, with 户籍地 allowed at county level); a clerk of the
 * destination registers it (通过, the registration's code path again, as that clerk) or returns it with a reason.
 * The form is kept sealed; lists show the ID number masked.
 */
@Injectable()
export class DeclarationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registration: InflowRegistration,
    private readonly cipher: IdCipher,
    private readonly audit: AuditService,
  ) {}

  async create(collector: AuthUser, dto: CreateDeclarationDto): Promise<DeclarationView> {
    const { collectedAt, ...form } = dto;
    const at = new Date(collectedAt);
    const now = Date.now();
    if (at.getTime() > now + CLOCK_SKEW_MS) throw Errors.validation([{ field: 'collectedAt', message: '不能晚于现在' }]);
    if (at.getTime() < now - MAX_AGE_MS) throw Errors.validation([{ field: 'collectedAt', message: '不能早于 30 天前' }]);
    await this.check(collector, form);
    const id = await this.db.transaction(async (manager) => {
      const [row] = await manager.query(
        `INSERT INTO declaration (collector_id, destination_code, household_code, name, id_masked, id_hash, form, collected_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          collector.id,
          form.destinationCode,
          form.householdCode,
          form.person.name,
          maskIdNumber(form.person.idNumber),
          this.cipher.hash(form.person.idNumber),
          this.seal(form),
          at,
        ],
      );
      await this.audit.record({ actor: collector, action: 'create', entity: 'declaration', entityId: row.id }, manager);
      return row.id as string;
    });
    return this.view(await this.load(id));
  }

  async list(user: AuthUser, query: DeclarationQuery): Promise<Page<DeclarationView>> {
    const { low, high } = scopeRange(user);
    // A collector sees its own; a clerk those for destinations in its subtree.
    const [where, params] = user.role === 'collector' ? [`d.collector_id = $1`, [user.id]] : [`d.destination_code BETWEEN $1 AND $2`, [low, high]];
    const status = query.status ? ` AND d.status = $${params.length + 1}` : '';
    const all = query.status ? [...params, query.status] : params;
    // 待审核: the oldest first (they are waiting); the others the latest first.
    const order = query.status === 'pending' ? 'd.pending_since ASC' : 'd.updated_at DESC';
    const rows: (Row & { total: string })[] = await this.db.query(
      `${SELECT} WHERE ${where}${status} ORDER BY ${order}, d.id LIMIT ${query.pageSize} OFFSET ${offsetOf(query)}`,
      all,
    );
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM declaration d WHERE ${where}${status}`, all);
    return pageOf(
      rows.map((r) => this.view(r)),
      count as number,
      query,
    );
  }

  /** PATCH by its collector while pending or returned: the merged form checked again, and pending again. */
  async update(collector: AuthUser, id: string, changes: DeclarationChangesDto): Promise<DeclarationView> {
    const row = await this.own(collector, id);
    if (row.status !== 'pending' && row.status !== 'returned') throw closed('已通过或已撤回的采集信息不能修改');
    const form = { ...this.open(row), ...changes } as DeclarationFormDto;
    await this.check(collector, form, id);
    await this.db.transaction(async (manager) => {
      const updated = await returningRows(
        manager,
        `UPDATE declaration SET form = $2, destination_code = $3, household_code = $4, name = $5, id_masked = $6, id_hash = $7,
                status = 'pending', pending_since = now(), updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'returned') RETURNING id`,
        [
          id,
          this.seal(form),
          form.destinationCode,
          form.householdCode,
          form.person.name,
          maskIdNumber(form.person.idNumber),
          this.cipher.hash(form.person.idNumber),
        ],
      );
      if (updated.length === 0) throw closed('已通过或已撤回的采集信息不能修改');
      await this.audit.record({ actor: collector, action: 'update', entity: 'declaration', entityId: id, detail: { fields: Object.keys(changes) } }, manager);
    });
    return this.view(await this.load(id));
  }

  async withdraw(collector: AuthUser, id: string): Promise<DeclarationView> {
    await this.own(collector, id);
    await this.db.transaction(async (manager) => {
      const updated = await returningRows(
        manager,
        `UPDATE declaration SET status = 'withdrawn', updated_at = now() WHERE id = $1 AND status IN ('pending', 'returned') RETURNING id`,
        [id],
      );
      if (updated.length === 0) throw closed('已通过或已撤回的采集信息不能撤回');
      await this.audit.record({ actor: collector, action: 'withdraw', entity: 'declaration', entityId: id }, manager);
    });
    return this.view(await this.load(id));
  }

  /**
   * 通过: the form with the clerk's corrections is registered and submitted as that clerk, through 流入登记's own
   * code; the declaration is marked accepted in the same transaction (so two clerks cannot both register it).
   */
  async accept(clerk: AuthUser, id: string, corrections: DeclarationChangesDto): Promise<InflowResponse> {
    const row = await this.reviewable(clerk, id);
    const form: CreateInflowDto = { ...this.open(row), ...corrections, submit: true };
    return this.registration.register(clerk, form, async (manager: EntityManager, inflowId: string) => {
      const updated = await returningRows(
        manager,
        `UPDATE declaration SET status = 'accepted', inflow_id = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now(),
                form = $4, household_code = $5, destination_code = $6
          WHERE id = $1 AND status = 'pending' RETURNING id`,
        [id, inflowId, clerk.id, this.seal(form), form.householdCode, form.destinationCode],
      );
      if (updated.length === 0) throw closed('只能通过待审核的采集信息');
      await this.audit.record(
        {
          actor: clerk,
          action: 'accept',
          entity: 'declaration',
          entityId: id,
          detail: { inflowId, collectorId: row.collector_id, corrected: Object.keys(corrections) },
        },
        manager,
      );
    });
  }

  async return(clerk: AuthUser, id: string, reason: string): Promise<DeclarationView> {
    await this.reviewable(clerk, id);
    await this.db.transaction(async (manager) => {
      const updated = await returningRows(
        manager,
        `UPDATE declaration SET status = 'returned', return_reason = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING id`,
        [id, reason, clerk.id],
      );
      if (updated.length === 0) throw closed('只能退回待审核的采集信息');
      await this.audit.record({ actor: clerk, action: 'return', entity: 'declaration', entityId: id }, manager);
    });
    return this.view(await this.load(id));
  }

  /** The registration's rules (one code path, the same messages), 户籍地 down to county, and 409 if already registered. */
  private async check(collector: AuthUser, form: DeclarationFormDto, self: string | null = null): Promise<void> {
    await this.registration.prepare(collector, form, undefined, { countyHousehold: true });
    await this.registration.assertNotRegistered(form.person.idNumber, form.destinationCode);
    // The same person already waiting here (a form sent again under a new key): the unique index backs this up.
    const [open] = await this.db.query(
      `SELECT 1 FROM declaration WHERE id_hash = $1 AND left(destination_code, 9) = left($2, 9) AND status IN ('pending', 'returned') AND id <> $3`,
      [this.cipher.hash(form.person.idNumber), form.destinationCode, self ?? '00000000-0000-0000-0000-000000000000'],
    );
    if (open) {
      throw Errors.conflict('ALREADY_DECLARED', '此人已有待审核的采集信息，请勿重复上传', [{ field: 'person.idNumber', message: '已有待审核的采集信息' }]);
    }
  }

  private async own(collector: AuthUser, id: string): Promise<Row> {
    const [row] = await this.db.query(`${SELECT} WHERE d.id = $1 AND d.collector_id = $2`, [id, collector.id]);
    if (!row) throw Errors.notFound('采集信息');
    return row as Row;
  }

  private async reviewable(clerk: AuthUser, id: string): Promise<Row> {
    const { low, high } = scopeRange(clerk);
    const [row] = await this.db.query(`${SELECT} WHERE d.id = $1 AND d.destination_code BETWEEN $2 AND $3`, [id, low, high]);
    if (!row) throw Errors.notFound('采集信息');
    if ((row as Row).status !== 'pending') throw closed('只能审核待审核的采集信息');
    return row as Row;
  }

  private async load(id: string): Promise<Row> {
    const [row] = await this.db.query(`${SELECT} WHERE d.id = $1`, [id]);
    if (!row) throw new AppError(500, 'INTERNAL', '采集信息丢失');
    return row as Row;
  }

  private seal(form: DeclarationFormDto): string {
    return this.cipher.sealDeclaration(JSON.stringify(form));
  }

  private open(row: Row): DeclarationFormDto {
    return JSON.parse(this.cipher.openDeclaration(row.form)) as DeclarationFormDto;
  }

  private view(row: Row): DeclarationView {
    const form = this.open(row);
    const idNumber = form.person.idNumber;
    return {
      id: row.id,
      status: row.status,
      collectedAt: row.collected_at.toISOString(),
      receivedAt: row.received_at.toISOString(),
      pendingSince: row.pending_since.toISOString(),
      collector: { id: row.collector_id, displayName: row.collector_name },
      person: {
        idNumber: maskIdNumber(idNumber),
        name: form.person.name,
        sex: sexOf(idNumber),
        age: ageOn(birthDateOf(idNumber), todayInShanghai()),
        phone: form.person.phone ?? null,
      },
      householdCode: form.householdCode,
      destinationCode: form.destinationCode,
      address: form.address,
      arrivalDate: form.arrivalDate,
      reason: form.reason,
      maritalStatus: form.maritalStatus,
      spouse: form.spouse ? { name: form.spouse.name, idNumber: maskIdNumber(form.spouse.idNumber) } : null,
      children: form.children ?? [],
      contraception: form.contraception,
      pregnant: form.pregnant ?? false,
      certificateNumber: form.certificateNumber ?? null,
      undertaking: form.undertaking ?? false,
      returnReason: row.return_reason,
      reviewedAt: row.reviewed_at?.toISOString() ?? null,
      inflowId: row.inflow_id,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { Errors } from '@/common/errors';
import { personSearch } from '@/common/person-search';
import { ACTION_OUTCOMES, replyAction } from '@/modules/notifications/messages';
import { NotificationsService } from '@/modules/notifications/notifications.service';
import { labelOf } from '@/common/labels';
import { Cell, EXPORT_MAX_ROWS, exportFilter, tooManyRows } from '@/common/table-export';
import { beijingTime } from '@/common/time';
import { exchangeStateWord, timeLeft } from '@/common/deadline';
import { IdCipher } from '@/common/id-cipher';
import { allowedMessage } from '@/common/labels';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { AuthUser, inScope, scopeRange } from '@/common/scope';
import { returningRows } from '@/database/sql';
import { AuditService } from '@/modules/audit/audit.service';
import { CaseLinker } from '@/modules/cases/case-linker';
import { Inflow } from '@/modules/inflows/inflow.entity';
import { InflowsService } from '@/modules/inflows/inflows.service';
import { OutflowsService } from '@/modules/outflows/outflows.service';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { Outflow } from '@/modules/outflows/outflow.entity';
import { Person } from '@/modules/persons/person.entity';
import { PersonsService, toPersonRef } from '@/modules/persons/persons.service';
import { Exchange, ExchangeStatus } from './exchange.entity';
import { outcomesOf } from '@/common/exchange-types';
import { ExchangeOutbox } from './exchange-outbox';
import { ExchangeContext, ExchangeResponse, toExchangeResponse } from './exchange-response';
import { CreateExchangeDto, InboxQuery, OutboxQuery, ReplyDto } from './exchanges.dto';

export type { ExchangeResponse } from './exchange-response';

const MAX_PAYLOAD_BYTES = 8 * 1024;

function filterByStatus(qb: SelectQueryBuilder<Exchange>, status: ExchangeStatus | undefined): void {
  const overdue = `(e.status = 'delivered' AND e.needs_reply AND e.due_at <= now())`;
  if (status === 'overdue') qb.andWhere(overdue);
  else if (status === 'delivered') qb.andWhere(`e.status = 'delivered' AND NOT ${overdue}`);
  else if (status) qb.andWhere('e.status = :status', { status });
}

/** 待反馈 counts only what needs a reply; receipt-only notices (a 离开通报) are the console's 通知 tab (console.md). */
/** 姓名或身份证号: the person the message is about (its case's person). */
function filterBySubject(qb: SelectQueryBuilder<Exchange>, q: string | undefined, cipher: IdCipher): void {
  if (!q) return;
  const search = personSearch(q, cipher, {
    hash: 'p.id_hash',
    named: (people) => `c.person_id IN (${people})`,
  });
  qb.andWhere(`e.case_id IN (SELECT c.id FROM migrant_case c JOIN person p ON p.id = c.person_id WHERE ${search.where})`, search.params);
}

function filterByNeedsReply(qb: SelectQueryBuilder<Exchange>, needsReply: boolean | undefined): void {
  if (needsReply !== undefined) qb.andWhere('e.needs_reply = :needsReply', { needsReply });
  // A message its sender withdrew (the case's origin corrected) was never owed by the township it reached (rates.md).
  if (needsReply === true) qb.andWhere(`e.status <> 'withdrawn'`);
}

@Injectable()
export class ExchangesService {
  constructor(
    @InjectRepository(Exchange) private readonly exchanges: Repository<Exchange>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: ExchangeOutbox,
    private readonly cases: CaseLinker,
    private readonly audit: AuditService,
    private readonly inflows: InflowsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly outflows: OutflowsService,
    private readonly persons: PersonsService,
    private readonly cipher: IdCipher,
    private readonly notifications: NotificationsService,
  ) {}

  /** Delivered to a unit in the caller's subtree, earliest deadline first. */
  async inbox(user: AuthUser, query: InboxQuery): Promise<Page<ExchangeResponse>> {
    const [rows, total] = await this.inboxQuery(user, query).offset(offsetOf(query)).limit(query.pageSize).getManyAndCount();
    return pageOf(await this.respond(rows), total, query);
  }

  /** Sent from the caller's subtree, newest first. */
  async outboxList(user: AuthUser, query: OutboxQuery): Promise<Page<ExchangeResponse>> {
    const [rows, total] = await this.outboxQuery(user, query).offset(offsetOf(query)).limit(query.pageSize).getManyAndCount();
    return pageOf(await this.respond(rows), total, query);
  }

  /** 导出 Excel of a box: its filtered list (no paging), masked, at most EXPORT_MAX_ROWS rows, one audit entry. */
  async exportRows(user: AuthUser, box: 'inbox' | 'outbox', query: InboxQuery): Promise<{ headers: string[]; rows: Cell[][] }> {
    const qb = box === 'inbox' ? this.inboxQuery(user, query) : this.outboxQuery(user, query);
    const found = await this.respond(await qb.limit(EXPORT_MAX_ROWS + 1).getMany());
    if (found.length > EXPORT_MAX_ROWS) throw tooManyRows();
    await this.audit.record({ actor: user, action: 'export', entity: 'exchange', detail: { box, ...exportFilter(query, found.length) } });
    const now = Date.now();
    const headers = [
      '类型',
      '加急',
      '当事人',
      '公民身份号码',
      box === 'inbox' ? '来自' : '发往',
      '发出时间',
      '送达时间',
      '办理期限',
      '剩余',
      '状态',
      '反馈',
      '反馈说明',
    ];
    const rows = found.map((e) => [
      labelOf('exchangeType', e.type),
      e.urgent ? '加急' : '',
      e.subject?.name ?? '',
      e.subject?.idNumber ?? '',
      box === 'inbox' ? e.fromName : e.toName,
      beijingTime(e.sentAt),
      e.deliveredAt ? beijingTime(e.deliveredAt) : '',
      e.needsReply && e.dueAt ? beijingTime(e.dueAt) : '无需反馈',
      e.needsReply && (e.status === 'delivered' || e.status === 'overdue') ? (timeLeft(e.dueAt, now)?.text ?? '') : '',
      exchangeStateWord(e) ?? labelOf('exchangeStatus', e.status),
      e.reply ? labelOf('outcome', e.reply.outcome) : '',
      e.reply?.note ?? '',
    ]);
    return { headers, rows };
  }

  private inboxQuery(user: AuthUser, query: InboxQuery): SelectQueryBuilder<Exchange> {
    const qb = this.exchanges
      .createQueryBuilder('e')
      .where('e.to_unit_code BETWEEN :low AND :high', scopeRange(user))
      // A message withdrawn after it arrived stays in the list as 已撤回 (never among those awaiting a reply).
      .andWhere(`(e.status IN ('delivered', 'replied') OR (e.status = 'withdrawn' AND e.delivered_at IS NOT NULL))`)
      .orderBy('e.due_at', 'ASC', 'NULLS LAST')
      .addOrderBy('e.delivered_at', 'ASC');
    filterByStatus(qb, query.overdue ? 'overdue' : query.status);
    filterByNeedsReply(qb, query.needsReply);
    filterBySubject(qb, query.q, this.cipher);
    // 即将到期: awaiting a reply and due within N days (not yet overdue).
    if (query.dueWithinDays) {
      qb.andWhere(`e.status = 'delivered' AND e.needs_reply AND e.due_at > now() AND e.due_at <= now() + make_interval(days => :days)`, {
        days: query.dueWithinDays,
      });
    }
    if (query.type) qb.andWhere('e.type = :type', { type: query.type });
    return qb;
  }

  private outboxQuery(user: AuthUser, query: OutboxQuery): SelectQueryBuilder<Exchange> {
    const qb = this.exchanges
      .createQueryBuilder('e')
      .where('e.from_unit_code BETWEEN :low AND :high', scopeRange(user))
      // What the clerk sent last comes first (the inbox, where deadlines are the clerk's own, goes by due time).
      .orderBy('e.sent_at', 'DESC')
      .addOrderBy('e.id', 'DESC');
    filterByStatus(qb, query.status);
    filterByNeedsReply(qb, query.needsReply);
    filterBySubject(qb, query.q, this.cipher);
    if (query.type) qb.andWhere('e.type = :type', { type: query.type });
    return qb;
  }

  /** One message; for the addressee's clerks a 流入通报 or 协查 also carries the facts to verify and the sender to call back. */
  async get(user: AuthUser, id: string): Promise<ExchangeResponse> {
    const exchange = await this.loadVisible(user, id);
    const [response] = await this.respond([exchange]);
    const verifies = exchange.type === 'inflow_notice' || exchange.type === 'verification_request';
    return verifies && user.role === 'staff' && inScope(user, exchange.toUnitCode) ? { ...response, ...(await this.factsOf(exchange)) } : response;
  }

  private async factsOf(exchange: Exchange): Promise<Pick<ExchangeResponse, 'facts' | 'sender'>> {
    const inflowId = await this.inflowOf(this.db.manager, exchange).catch(() => null);
    const inflow = inflowId ? await this.db.getRepository(Inflow).findOne({ where: { id: inflowId }, relations: { person: true } }) : null;
    const [sender]: { display_name: string; jurisdiction_code: string; phone: string | null }[] = exchange.createdBy
      ? await this.db.query(`SELECT display_name, jurisdiction_code, phone FROM app_user WHERE id = $1`, [exchange.createdBy])
      : [];
    const places = await this.jurisdictions.fullNames([...(inflow ? [inflow.destinationCode] : []), ...(sender ? [sender.jurisdiction_code] : [])]);
    const r = inflow ? this.inflows.toResponse(inflow, false) : null;
    return {
      ...(r && {
        facts: {
          name: r.person.name,
          sex: r.person.sex,
          age: r.person.age,
          maritalStatus: r.maritalStatus,
          spouse: r.spouse,
          children: r.children,
          contraception: r.contraception,
          pregnant: r.pregnant,
          destination: { code: r.destinationCode, name: places.get(r.destinationCode) ?? r.destinationCode },
          address: r.address,
          phone: r.phone,
        },
      }),
      ...(sender && {
        sender: { displayName: sender.display_name, jurisdictionName: places.get(sender.jurisdiction_code) ?? '', phone: sender.phone },
      }),
    };
  }

  /** The case's messages in order, for the case view (visibility is the case's). */
  async thread(caseId: string): Promise<ExchangeResponse[]> {
    return this.respond(await this.exchanges.find({ where: { caseId }, order: { sentAt: 'ASC' } }));
  }

  /** A manual 协查 or event notice from the caller's side of the case to the other side. */
  async create(user: AuthUser, dto: CreateExchangeDto): Promise<ExchangeResponse> {
    if (Buffer.byteLength(JSON.stringify(dto.payload)) > MAX_PAYLOAD_BYTES) {
      throw Errors.validation([{ field: 'payload', message: `内容过长（不超过 ${MAX_PAYLOAD_BYTES} 字节）` }]);
    }
    const inflow = await this.db.getRepository(Inflow).findOne({ where: { caseId: dto.caseId }, order: { registeredAt: 'DESC' } });
    const outflow = await this.db.getRepository(Outflow).findOne({ where: { caseId: dto.caseId }, order: { registeredAt: 'DESC' } });
    const householdCode = inflow?.householdCode ?? outflow?.householdCode;
    let from: string;
    let to: string | undefined;
    if (inflow && inScope(user, inflow.destinationCode)) {
      from = inflow.destinationCode;
      to = inflow.householdCode;
    } else if (householdCode && inScope(user, householdCode)) {
      from = householdCode;
      to = inflow && ['draft', 'active'].includes(inflow.status) ? inflow.destinationCode : undefined;
    } else {
      throw Errors.notFound('个案');
    }
    if (!to) throw Errors.conflict('NO_COUNTERPART', '该个案尚无现居住地，无法发送');
    const urgent = dto.type === 'verification_request' && !!inflow?.pregnant && !!inflow?.keyTarget;
    const sentAt = new Date();
    const [id] = await this.db.transaction(async (manager) => {
      const ids = await this.outbox.add(manager, [
        { caseId: dto.caseId, type: dto.type, fromUnitCode: from, toUnitCode: to, urgent, payload: dto.payload, createdBy: user.id, sentAt },
      ]);
      await this.audit.record({ actor: user, action: 'create', entity: 'exchange', entityId: ids[0], detail: { type: dto.type, caseId: dto.caseId } }, manager);
      return ids;
    });
    await this.outbox.enqueue([id]);
    return (await this.respond([(await this.exchanges.findOneBy({ id })) as Exchange]))[0];
  }

  async reply(user: AuthUser, id: string, dto: ReplyDto): Promise<ExchangeResponse> {
    const exchange = await this.loadVisible(user, id);
    if (!inScope(user, exchange.toUnitCode)) throw Errors.forbidden('NOT_ADDRESSEE', '只有收件方可以反馈');
    if (exchange.status === 'replied') throw alreadyReplied();
    if (exchange.status === 'withdrawn') throw withdrawn();
    if (exchange.status !== 'delivered') throw Errors.conflict('NOT_DELIVERED', '该信息尚未送达，暂不能反馈');
    const allowed = outcomesOf(exchange.type);
    if (!allowed.includes(dto.outcome)) {
      throw Errors.validation([{ field: 'outcome', message: allowedMessage('反馈结果', 'outcome', [...allowed]) }]);
    }
    if (dto.outcome === 'corrected' && (!dto.corrections || Object.keys(dto.corrections).length === 0)) {
      throw Errors.validation([{ field: 'corrections', message: '反馈“信息有误”时须填写更正内容' }]);
    }
    if (dto.outcome !== 'corrected' && dto.corrections !== undefined) {
      throw Errors.validation([{ field: 'corrections', message: '只有反馈“信息有误”时才填写更正内容' }]);
    }
    await this.db.transaction(async (manager) => {
      const now = new Date();
      // The status condition makes the first of two concurrent replies the only one.
      const updated = await returningRows(
        manager,
        `UPDATE exchange SET status = 'replied', replied_at = $2, reply_outcome = $3, reply_note = $4, replied_by = $5
          WHERE id = $1 AND status = 'delivered' RETURNING id`,
        [id, now, dto.outcome, dto.note ?? null, user.id],
      );
      if (updated.length === 0) {
        // Withdrawn (the sender corrected the case's origin) or answered meanwhile.
        const [current] = await manager.query(`SELECT status FROM exchange WHERE id = $1`, [id]);
        throw current?.status === 'withdrawn' ? withdrawn() : alreadyReplied();
      }
      if (dto.corrections) {
        const inflowId = await this.inflowOf(manager, exchange);
        const stored = await this.inflows.applyCorrections(manager, user, inflowId, dto.corrections, id);
        await manager.query(`UPDATE exchange SET reply_corrections = $2 WHERE id = $1`, [id, JSON.stringify(stored)]);
      }
      if (exchange.type === 'outflow_notice' && dto.outcome === 'arrived') await this.linkArrival(manager, exchange, now);
      // 非本地户籍 from the township holding the household on record: it lets go, so the township that really holds it
      // (户口迁移) may claim the person (quality.md, Trust between the sides).
      if (dto.outcome === 'not_ours') {
        const [c] = await manager.query(`SELECT person_id FROM migrant_case WHERE id = $1`, [exchange.caseId]);
        await this.persons.disown(manager, user, c.person_id as string, exchange.toCode, id);
      }
      await this.audit.record({ actor: user, action: 'reply', entity: 'exchange', entityId: id, detail: { outcome: dto.outcome } }, manager);
      // The sending township's clerks hear of an answer that asks them to act, with the reply (never lost, once).
      if (ACTION_OUTCOMES.includes(dto.outcome)) {
        const replier = (await this.jurisdictions.fullNames([exchange.toCode])).get(exchange.toCode) ?? exchange.toCode;
        await this.notifications.toTownshipStaff(manager, exchange.fromCode, replyAction(exchange, dto.outcome, replier));
      }
    });
    return (await this.respond([(await this.exchanges.findOneBy({ id })) as Exchange]))[0];
  }

  /** Requeues a dead-lettered exchange (admin). */
  async retry(user: AuthUser, id: string): Promise<ExchangeResponse> {
    const exchange = await this.loadVisible(user, id);
    if (exchange.status !== 'failed') throw Errors.conflict('NOT_FAILED', '只有投递失败的信息可以重新投递');
    await this.db.transaction(async (manager) => {
      await manager.query(`UPDATE exchange SET status = 'queued', enqueued_at = NULL WHERE id = $1 AND status = 'failed'`, [id]);
      await this.audit.record({ actor: user, action: 'retry', entity: 'exchange', entityId: id }, manager);
    });
    // The relay's next pass (within a second) removes the failed job that still holds the id in Redis and adds a new one.
    return (await this.respond([(await this.exchanges.findOneBy({ id })) as Exchange]))[0];
  }

  /** Rows as responses, with the names a clerk reads them by: three batched reads for a whole page. */
  private async respond(rows: Exchange[]): Promise<ExchangeResponse[]> {
    if (rows.length === 0) return [];
    const caseIds = [...new Set(rows.map((r) => r.caseId))];
    const replierIds = [...new Set(rows.map((r) => r.repliedBy).filter((id): id is string => !!id))];
    const [subjects, repliers] = await Promise.all([
      this.db.query<{ case_id: string; id: string; name: string; id_masked: string; id_cipher: string; sex: 'male' | 'female' }[]>(
        `SELECT c.id AS case_id, p.id, p.name, p.id_masked, p.id_cipher, p.sex
           FROM migrant_case c JOIN person p ON p.id = c.person_id WHERE c.id = ANY($1::uuid[])`,
        [caseIds],
      ),
      replierIds.length
        ? this.db.query<{ id: string; display_name: string; jurisdiction_code: string }[]>(
            `SELECT id, display_name, jurisdiction_code FROM app_user WHERE id = ANY($1::uuid[])`,
            [replierIds],
          )
        : Promise.resolve([]),
    ]);
    const places = await this.jurisdictions.fullNames([...rows.flatMap((r) => [r.fromCode, r.toCode]), ...repliers.map((u) => u.jurisdiction_code)]);
    const context: ExchangeContext = {
      places,
      subjects: new Map(
        subjects.map((p) => {
          const { age } = toPersonRef(Object.assign(new Person(), { idCipher: p.id_cipher }), this.cipher);
          return [p.case_id, { personId: p.id, name: p.name, idNumber: p.id_masked, sex: p.sex, age }];
        }),
      ),
      repliers: new Map(repliers.map((u) => [u.id, { id: u.id, displayName: u.display_name, jurisdictionName: places.get(u.jurisdiction_code) ?? '' }])),
    };
    const now = new Date();
    return rows.map((r) => toExchangeResponse(r, context, now));
  }

  /** The inflow a reply's corrections apply to: the one the exchange is about, else the case's latest. */
  private async inflowOf(manager: EntityManager, exchange: Exchange): Promise<string> {
    const named = typeof exchange.payload.inflowId === 'string' ? exchange.payload.inflowId : null;
    const [row] = await manager.query(`SELECT id FROM inflow WHERE case_id = $1 ORDER BY (id::text = $2) DESC, registered_at DESC LIMIT 1`, [
      exchange.caseId,
      named ?? '',
    ]);
    if (!row) throw Errors.conflict('NO_INFLOW', '该个案尚无流入登记，无法更正');
    return row.id as string;
  }

  private async loadVisible(user: AuthUser, id: string): Promise<Exchange> {
    const exchange = await this.exchanges.findOneBy({ id });
    if (!exchange || !(inScope(user, exchange.fromUnitCode) || inScope(user, exchange.toUnitCode))) throw Errors.notFound('信息');
    return exchange;
  }

  /**
   * 'arrived' on an outflow notice: the person is at the destination. If the destination has registered the person,
   * the origin's outflow joins that registration's case (effective contact once it is submitted).
   */
  private async linkArrival(manager: EntityManager, exchange: Exchange, at: Date): Promise<void> {
    const [inflow] = await manager.query(
      `SELECT i.case_id FROM migrant_case c JOIN inflow i ON i.id = registered_here(c.person_id, township_of($2)) WHERE c.id = $1`,
      [exchange.caseId, exchange.toCode],
    );
    if (!inflow || inflow.case_id === exchange.caseId) return;
    await this.outflows.joinCase(manager, exchange.caseId, inflow.case_id);
    await this.cases.closeIfEnded(manager, exchange.caseId, at);
  }
}

function alreadyReplied() {
  return Errors.conflict('ALREADY_REPLIED', '该信息已反馈，不能重复反馈');
}

function withdrawn() {
  return Errors.conflict('WITHDRAWN', '发件方已更正户籍地并撤回该信息，无需反馈');
}

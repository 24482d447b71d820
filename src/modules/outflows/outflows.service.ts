import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { levelOf, townshipOf } from '@/common/division-code';
import { personSearch } from '@/common/person-search';
import { labelOf } from '@/common/labels';
import { Cell, EXPORT_MAX_ROWS, exportFilter, tooManyRows } from '@/common/table-export';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { birthDateOf } from '@/common/identity';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { AuthUser, inScope, scopeRange } from '@/common/scope';
import { beijingTime, todayInShanghai } from '@/common/time';
import { returningRows } from '@/database/sql';
import { AuditService } from '@/modules/audit/audit.service';
import { CaseLinker } from '@/modules/cases/case-linker';
import { ExchangeOutbox } from '@/modules/exchanges/exchange-outbox';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { PersonsService, toPersonRef } from '@/modules/persons/persons.service';
import { Outflow } from './outflow.entity';
import { CloseOutflowDto, CreateOutflowDto, OutflowQuery, OutflowView } from './outflows.dto';

export type OutflowResponse = OutflowView;

/** Effective contact (有效联系): the person has a submitted, open registration somewhere (rates.md; person_located, rates/sql/contact.sql). */
export const EFFECTIVE_CONTACT_SQL = `person_located(o.person_id)`;

@Injectable()
export class OutflowsService {
  constructor(
    @InjectRepository(Outflow) private readonly outflows: Repository<Outflow>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly persons: PersonsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly cases: CaseLinker,
    private readonly audit: AuditService,
    private readonly outbox: ExchangeOutbox,
    private readonly cipher: IdCipher,
  ) {}

  /**
   * The person arrived where the origin expected and the destination had registered them: the outflow still active on
   * `fromCaseId` joins the registration's case. In the caller's transaction (a reply to the outflow notice).
   */
  async joinCase(manager: EntityManager, fromCaseId: string, toCaseId: string): Promise<void> {
    await manager.update(Outflow, { caseId: fromCaseId, status: 'active' }, { caseId: toCaseId });
  }

  async register(user: AuthUser, dto: CreateOutflowDto): Promise<OutflowResponse> {
    if (!inScope(user, dto.householdCode)) throw Errors.outOfJurisdiction('householdCode');
    await this.jurisdictions.requireLocal(dto.householdCode, 'householdCode');
    const expected = dto.expectedDestinationCode;
    // Any level from province down: a clerk may know only "went to 无锡" (api.md).
    if (expected && levelOf(expected) === 'country') {
      throw Errors.validation([{ field: 'expectedDestinationCode', message: '不能是全国，请至少选到省' }]);
    }
    if (expected) await this.jurisdictions.require(expected, 'expectedDestinationCode');
    if (dto.departureDate > todayInShanghai()) throw Errors.validation([{ field: 'departureDate', message: '不能晚于今天' }]);
    if (dto.departureDate < birthDateOf(dto.person.idNumber)) throw Errors.validation([{ field: 'departureDate', message: '不能早于出生日期' }]);

    const { id, exchangeIds } = await this.dataSource.transaction(async (manager) => {
      // Only the township holding the household on record registers the person's outflow (quality.md).
      const person = await this.persons.claimAsHolder(manager, user, 'outflow', dto.person.idNumber, dto.person.name, dto.householdCode);
      const existing = await manager.getRepository(Outflow).findOneBy({ personId: person.id, status: 'active' });
      if (existing) {
        throw Errors.conflict('ALREADY_REGISTERED', '此人已有有效的流出登记，请勿重复登记', [
          { field: 'person.idNumber', message: '已有有效的流出登记', existingId: existing.id },
        ]);
      }
      const caseId = await this.cases.caseForOutflow(manager, person.id, townshipOf(dto.householdCode));
      // Not met by an inflow yet, but the origin knows the township (or village) the person went to: tell it (流出通报).
      // A coarser place has no office to tell; the outflow waits on its case until the person is registered there.
      const [linked] = await manager.query(`SELECT 1 FROM inflow WHERE case_id = $1 LIMIT 1`, [caseId]);
      const notifyTo = !linked && expected && ['township', 'village'].includes(levelOf(expected)) ? expected : null;
      const saved = await manager.getRepository(Outflow).save(
        manager.getRepository(Outflow).create({
          caseId,
          personId: person.id,
          householdCode: dto.householdCode,
          originTownshipCode: townshipOf(dto.householdCode),
          departureDate: dto.departureDate,
          expectedDestinationCode: expected || null,
          notified: notifyTo !== null,
          status: 'active',
          createdBy: user.id,
        }),
      );
      await this.audit.record({ actor: user, action: 'create', entity: 'outflow', entityId: saved.id, detail: { caseId } }, manager);
      if (!notifyTo) return { id: saved.id, exchangeIds: [] };
      const exchangeIds = await this.outbox.add(manager, [
        {
          caseId,
          type: 'outflow_notice',
          fromUnitCode: dto.householdCode,
          toUnitCode: notifyTo,
          payload: { outflowId: saved.id, departureDate: dto.departureDate, expectedDestinationCode: notifyTo },
          createdBy: user.id,
          sentAt: saved.registeredAt,
        },
      ]);
      return { id: saved.id, exchangeIds };
    });
    await this.outbox.enqueue(exchangeIds);
    return this.loadResponse(id);
  }

  async list(user: AuthUser, query: OutflowQuery): Promise<Page<OutflowResponse>> {
    const qb = this.filtered(user, query).offset(offsetOf(query)).limit(query.pageSize);
    const total = await qb.getCount();
    return pageOf(await this.responses(qb), total, query);
  }

  /** 导出 Excel: the filtered list (no paging), masked, at most EXPORT_MAX_ROWS rows, one audit entry. */
  async exportRows(user: AuthUser, query: OutflowQuery): Promise<{ headers: string[]; rows: Cell[][] }> {
    const found = await this.responses(this.filtered(user, query).limit(EXPORT_MAX_ROWS + 1));
    if (found.length > EXPORT_MAX_ROWS) throw tooManyRows();
    await this.audit.record({ actor: user, action: 'export', entity: 'outflow', detail: exportFilter(query, found.length) });
    const places = found.flatMap((o) => [o.householdCode, ...(o.expectedDestinationCode ? [o.expectedDestinationCode] : [])]);
    const names = await this.jurisdictions.fullNames(places);
    const headers = ['姓名', '公民身份号码', '性别', '年龄', '户籍地', '外出日期', '预计流入地', '通报', '联系状态', '状态', '登记时间'];
    const rows = found.map((o) => [
      o.person.name,
      o.person.idNumber,
      labelOf('sex', o.person.sex),
      o.person.age,
      names.get(o.householdCode) ?? o.householdCode,
      o.departureDate,
      o.expectedDestinationCode ? (names.get(o.expectedDestinationCode) ?? o.expectedDestinationCode) : '',
      o.expectedDestinationCode ? (o.notified ? '已通报' : '未通报') : '',
      labelOf('contact', o.contact),
      labelOf('outflowStatus', o.status),
      beijingTime(o.registeredAt),
    ]);
    return { headers, rows };
  }

  private async responses(qb: SelectQueryBuilder<Outflow>): Promise<OutflowResponse[]> {
    const { entities, raw } = await qb.getRawAndEntities();
    const contacts = new Map(raw.map((r: { o_id: string; contact: 'effective' | 'none' }) => [r.o_id, r.contact]));
    return entities.map((o) => toOutflowResponse(o, contacts.get(o.id) ?? 'none', this.cipher));
  }

  private filtered(user: AuthUser, query: OutflowQuery): SelectQueryBuilder<Outflow> {
    const qb = this.outflows
      .createQueryBuilder('o')
      .innerJoinAndSelect('o.person', 'p')
      .addSelect(`CASE WHEN ${EFFECTIVE_CONTACT_SQL} THEN 'effective' ELSE 'none' END`, 'contact')
      .where('o.household_code BETWEEN :low AND :high', scopeRange(user))
      // Who left last comes first, as the clerk reads the 外出日期 column.
      .orderBy('o.departure_date', 'DESC')
      .addOrderBy('o.registered_at', 'DESC')
      .addOrderBy('o.id');
    if (query.status) qb.andWhere('o.status = :status', { status: query.status });
    if (query.contact === 'effective') qb.andWhere(EFFECTIVE_CONTACT_SQL);
    if (query.contact === 'none') qb.andWhere(`NOT ${EFFECTIVE_CONTACT_SQL}`);
    if (query.q) {
      const search = personSearch(query.q, this.cipher, { hash: 'p.id_hash', named: (people) => `o.person_id IN (${people})` });
      qb.andWhere(search.where, search.params);
    }
    return qb;
  }

  async close(user: AuthUser, id: string, dto: CloseOutflowDto): Promise<OutflowResponse> {
    const outflow = await this.outflows.findOneBy({ id });
    if (!outflow || !inScope(user, outflow.householdCode)) throw Errors.notFound('流出登记');
    if (outflow.status !== 'active') throw Errors.conflict('INVALID_STATE', '该流出登记已结束');
    if (dto.date < outflow.departureDate) throw Errors.validation([{ field: 'date', message: '不能早于外出日期' }]);
    if (dto.date > todayInShanghai()) throw Errors.validation([{ field: 'date', message: '不能晚于今天' }]);
    await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const result = await manager.update(Outflow, { id, status: 'active' }, { status: dto.kind, closedAt: now, closeDate: dto.date });
      if (!result.affected) throw Errors.conflict('INVALID_STATE', '该流出登记已结束');
      await this.cases.closeIfEnded(manager, outflow.caseId, now);
      await this.audit.record({ actor: user, action: dto.kind, entity: 'outflow', entityId: id }, manager);
    });
    return this.loadResponse(id);
  }

  /**
   * The destination recorded that the person went home: the stay's active outflow ends as `returned` on that date
   * (not before its departure date), in the caller's transaction, audited as done by the departure notice.
   */
  async closeOnReturn(manager: EntityManager, actor: AuthUser, caseId: string, date: string, by: Record<string, unknown>): Promise<void> {
    const closed: { id: string }[] = await returningRows(
      manager,
      `UPDATE outflow SET status = 'returned', closed_at = now(), close_date = GREATEST($2::date, departure_date)
        WHERE case_id = $1 AND status = 'active' RETURNING id`,
      [caseId, date],
    );
    for (const { id } of closed) await this.audit.record({ actor, action: 'returned', entity: 'outflow', entityId: id, detail: by }, manager);
  }

  async loadResponse(id: string): Promise<OutflowResponse> {
    const qb = this.outflows
      .createQueryBuilder('o')
      .innerJoinAndSelect('o.person', 'p')
      .addSelect(`CASE WHEN ${EFFECTIVE_CONTACT_SQL} THEN 'effective' ELSE 'none' END`, 'contact')
      .where('o.id = :id', { id });
    const { entities, raw } = await qb.getRawAndEntities();
    if (!entities[0]) throw Errors.notFound('流出登记');
    return toOutflowResponse(entities[0], raw[0].contact, this.cipher);
  }
}

function toOutflowResponse(o: Outflow, contact: 'effective' | 'none', cipher: IdCipher): OutflowResponse {
  return {
    id: o.id,
    caseId: o.caseId,
    person: toPersonRef(o.person!, cipher),
    householdCode: o.householdCode,
    originTownshipCode: o.originTownshipCode,
    departureDate: o.departureDate,
    expectedDestinationCode: o.expectedDestinationCode,
    notified: o.notified,
    status: o.status,
    // A closed outflow is no longer a person away from home, so there is no contact to keep.
    contact: o.status === 'active' ? contact : 'none',
    registeredAt: o.registeredAt.toISOString(),
    closedAt: o.closedAt?.toISOString() ?? null,
    closeDate: o.closeDate,
  };
}

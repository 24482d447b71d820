import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { townshipOf } from '@/common/division-code';
import { personSearch } from '@/common/person-search';
import { Errors } from '@/common/errors';
import { currentRequest } from '@/common/request-context';
import { IdCipher } from '@/common/id-cipher';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { AuthUser, inScope, scopeRange } from '@/common/scope';
import { labelOf } from '@/common/labels';
import { Cell, EXPORT_MAX_ROWS, exportFilter, tooManyRows } from '@/common/table-export';
import { beijingTime, endOfShanghaiDay, startOfShanghaiDay, todayInShanghai } from '@/common/time';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { CaseLinker } from '@/modules/cases/case-linker';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { ExchangeOutbox } from '@/modules/exchanges/exchange-outbox';
import { OutflowsService } from '@/modules/outflows/outflows.service';
import { birthDateOfPerson, PersonsService } from '@/modules/persons/persons.service';
import { checkChildren, checkSpouse, isMarried, normaliseChildren, spouseColumns } from '@/modules/persons/family';
import { Inflow } from './inflow.entity';
import { renderRegistrationPdf } from './inflow-form-pdf';
import { InflowRerouting } from './inflow-rerouting';
import { InflowResponse, toInflowResponse } from './inflow-response';
import { DepartDto, InflowCorrectionsDto, InflowQuery, UpdateInflowDto } from './inflows.dto';

export type { InflowResponse } from './inflow-response';

const OPEN = ['draft', 'active'];

@Injectable()
export class InflowsService {
  constructor(
    @InjectRepository(Inflow) private readonly inflows: Repository<Inflow>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly persons: PersonsService,
    private readonly cases: CaseLinker,
    private readonly cipher: IdCipher,
    private readonly audit: AuditService,
    private readonly outbox: ExchangeOutbox,
    private readonly outflows: OutflowsService,
    private readonly rerouting: InflowRerouting,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  async list(user: AuthUser, query: InflowQuery): Promise<Page<InflowResponse>> {
    const qb = this.filtered(user, query).offset(offsetOf(query)).limit(query.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(
      rows.map((r) => this.toResponse(r, false)),
      total,
      query,
    );
  }

  /** 导出 Excel: the filtered list (no paging), masked, at most EXPORT_MAX_ROWS rows, one audit entry. */
  async exportRows(user: AuthUser, query: InflowQuery): Promise<{ headers: string[]; rows: Cell[][] }> {
    const found = await this.filtered(user, query)
      .limit(EXPORT_MAX_ROWS + 1)
      .getMany();
    if (found.length > EXPORT_MAX_ROWS) throw tooManyRows();
    await this.audit.record({ actor: user, action: 'export', entity: 'inflow', detail: exportFilter(query, found.length) });
    const names = await this.jurisdictions.fullNames(found.flatMap((i) => [i.householdCode, i.destinationCode]));
    const headers = [
      '姓名',
      '公民身份号码',
      '性别',
      '年龄',
      '户籍地',
      '现居住地',
      '详细地址',
      '到达日期',
      '流动原因',
      '婚姻状况',
      '避孕节育情况',
      '重点对象',
      '状态',
      '登记时间',
      '提交时间',
    ];
    const rows = found.map((i) => {
      const r = this.toResponse(i, false);
      return [
        r.person.name,
        r.person.idNumber,
        labelOf('sex', r.person.sex),
        r.person.age,
        names.get(r.householdCode) ?? r.householdCode,
        names.get(r.destinationCode) ?? r.destinationCode,
        r.address,
        r.arrivalDate,
        labelOf('reason', r.reason),
        labelOf('maritalStatus', r.maritalStatus),
        labelOf('contraception', r.contraception),
        r.keyTarget ? '是' : '否',
        labelOf('inflowStatus', r.status),
        beijingTime(r.registeredAt),
        r.submittedAt ? beijingTime(r.submittedAt) : '',
      ];
    });
    return { headers, rows };
  }

  private filtered(user: AuthUser, query: InflowQuery) {
    const { low, high } = scopeRange(user);
    const qb = this.inflows
      .createQueryBuilder('i')
      .innerJoinAndSelect('i.person', 'p')
      .where('i.destination_code BETWEEN :low AND :high', { low, high })
      .orderBy('i.registered_at', 'DESC')
      .addOrderBy('i.id');
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    if (query.from) qb.andWhere('i.registered_at >= :from', { from: startOfShanghaiDay(query.from) });
    if (query.to) qb.andWhere('i.registered_at < :to', { to: endOfShanghaiDay(query.to) });
    if (query.q) {
      // The name the list shows: the registration's own when it differs from the record's, else the name on record.
      const search = personSearch(query.q, this.cipher, {
        hash: 'p.id_hash',
        // The name the list shows is the registration's own when it differs from the record's (inflow.name), else the
        // person's: registrations of the people so named that keep the record's name, and those whose own name matches.
        // Both kept to the place (as the outer condition, so the rows are the same): a person so named is then one probe
        // of inflow_person_arrival_idx (person_id, destination_code) that finds only the place's rows, and the plan
        // starts from the few people so named rather than from every registration of a busy place (B7).
        named: (people) =>
          `i.id IN (SELECT n.id FROM inflow n WHERE n.person_id IN (${people}) AND n.name IS NULL AND n.destination_code BETWEEN :low AND :high
                    UNION ALL SELECT n.id FROM inflow n WHERE n.name LIKE :searchName AND n.destination_code BETWEEN :low AND :high)`,
      });
      qb.andWhere(search.where, search.params);
    }
    return qb;
  }

  /** The full record, ID numbers unmasked, for staff of either side of the case, audited; others get the masked view. */
  async detail(user: AuthUser, id: string): Promise<InflowResponse> {
    const inflow = await this.loadVisible(user, id);
    if (user.role !== 'staff') return this.toResponse(inflow, false);
    await this.audit.record({ actor: user, action: 'read', entity: 'inflow', entityId: id });
    return this.toResponse(inflow, true);
  }

  /** 打印登记表: the registration as a PDF with its full numbers, for staff of either side; audited like a full read. */
  async formPdf(user: AuthUser, id: string): Promise<Buffer> {
    const inflow = await this.loadVisible(user, id);
    if (user.role !== 'staff') throw Errors.forbidden('STAFF_ONLY', '只有工作人员可以打印登记表');
    await this.audit.record({ actor: user, action: 'read', entity: 'inflow', entityId: id, detail: { form: 'pdf' } });
    const r = this.toResponse(inflow, true);
    const names = await this.jurisdictions.fullNames([r.householdCode, r.destinationCode]);
    return renderRegistrationPdf({
      inflow: r,
      householdName: names.get(r.householdCode) ?? r.householdCode,
      destinationName: names.get(r.destinationCode) ?? r.destinationCode,
    });
  }

  /**
   * PATCH: the destination changes or corrects its registration. Name and household are corrections of what it stated
   * (issue 32): they always change the registration; the person's record follows only when this registration is all
   * the service holds of the person (PersonsService.followRegistration). A household in another township re-routes
   * the case (InflowRerouting). One audit entry for the whole change.
   */
  async update(user: AuthUser, id: string, dto: UpdateInflowDto): Promise<InflowResponse> {
    await this.loadOwned(user, id);
    const { name, householdCode, ...family } = dto;
    const exchangeIds = await this.dataSource.transaction(async (manager) => {
      // The row lock orders two edits of one registration (two re-routings must not both withdraw and resend).
      await manager.query(`SELECT 1 FROM inflow WHERE id = $1 FOR UPDATE`, [id]);
      const inflow = (await manager.findOne(Inflow, { where: { id }, relations: { person: true } })) as Inflow;
      if (!OPEN.includes(inflow.status)) throw closed();
      const { changes, fields } = this.changesFor(inflow, family);
      const now = changes.updatedAt as Date;
      const newHousehold = householdCode !== undefined && householdCode !== inflow.householdCode ? householdCode : undefined;
      if (newHousehold !== undefined) {
        await this.rerouting.checkHousehold(inflow, newHousehold);
        Object.assign(changes, { householdCode: newHousehold, originTownshipCode: townshipOf(newHousehold) });
        fields.push('householdCode');
      }
      const stated = inflow.name ?? inflow.person!.name;
      const newName = name !== undefined && name !== stated ? name : undefined;
      if (newName !== undefined) fields.push('name');
      if (newName !== undefined || newHousehold !== undefined) {
        const person = await this.persons.followRegistration(manager, user, inflow.personId, id, { name: newName, householdCode: newHousehold });
        // The registration keeps its own name only while it differs from the one on record (NULL: the same).
        const own = newName ?? stated;
        changes.name = own === person.name ? null : own;
      }
      await manager.update(Inflow, { id }, changes);
      const oldOrigin = inflow.originTownshipCode;
      const rerouted = changes.originTownshipCode !== undefined && changes.originTownshipCode !== oldOrigin;
      let ids: string[] = [];
      let withdrawn: string[] = [];
      if (rerouted) {
        const updated = Object.assign(new Inflow(), inflow, changes);
        ({ withdrawn, sent: ids } = await this.rerouting.reroute(manager, user, updated, oldOrigin, now));
      }
      const detail = rerouted ? { fields, rerouted: { from: oldOrigin, to: changes.originTownshipCode }, withdrawn, sent: ids } : { fields };
      await this.audit.record({ actor: user, action: 'update', entity: 'inflow', entityId: id, detail }, manager);
      // 服务管理信息: the origin hears of changes it must know once the registration has been sent; a re-routed case's
      // new origin gets the whole registration instead. A birth needs a reply, and so does a name unlike the record's.
      const mattersToOrigin = fields.filter((f) => ORIGIN_FIELDS.includes(f));
      if (rerouted || inflow.status !== 'active' || mattersToOrigin.length === 0) return ids;
      const birth = changes.children !== undefined && changes.children.length > inflow.children.length;
      const nameMismatch = mattersToOrigin.includes('name') && changes.name !== null;
      const described = this.describeChanges(changes, mattersToOrigin);
      if (mattersToOrigin.includes('name')) described.name = newName;
      if (newHousehold !== undefined) described.householdCode = await this.rerouting.describeHousehold(newHousehold);
      const payload = { inflowId: id, fields: mattersToOrigin, changes: described, birth, ...(nameMismatch ? { nameMismatch } : {}) };
      return this.outbox.add(manager, [
        {
          caseId: inflow.caseId,
          type: 'event_notice',
          fromUnitCode: inflow.destinationCode,
          toUnitCode: changes.householdCode ?? inflow.householdCode,
          needsReply: birth || nameMismatch,
          payload,
          createdBy: user.id,
          sentAt: now,
        },
      ]);
    });
    await this.outbox.enqueue(exchangeIds);
    return this.toResponse(await this.load(id), false);
  }

  /**
   * A `corrected` reply from the origin: the fields it knows better, checked by the same rules as PATCH, applied to
   * the case's inflow in the reply's transaction and audited as changed by that reply. Returns the corrections as
   * stored on the exchange (ID numbers masked).
   */
  async applyCorrections(
    manager: EntityManager,
    user: AuthUser,
    inflowId: string,
    dto: InflowCorrectionsDto,
    exchangeId: string,
  ): Promise<Record<string, unknown>> {
    const inflow = await manager.findOne(Inflow, { where: { id: inflowId }, relations: { person: true } });
    if (!inflow) throw Errors.conflict('NO_INFLOW', '该个案尚无流入登记，无法更正');
    const { name, ...family } = dto;
    const { changes, fields } = this.changesFor(inflow, family, 'corrections.');
    if (name !== undefined && name !== (inflow.name ?? inflow.person!.name)) fields.push('name');
    if (name !== undefined) {
      // The registration takes the origin's name. The name on record changes only when the origin answering holds the
      // household on record (read under the person's lock): another township's word renames nobody, nor does anyone's
      // while no township holds the household.
      const [{ household_code: holder }] = await manager.query(`SELECT household_code FROM person WHERE id = $1 FOR UPDATE`, [inflow.personId]);
      if (holder !== null && inScope(user, holder as string)) {
        await this.persons.correct(manager, user, inflow.person!, { name }, { by: 'reply', byReply: exchangeId });
      }
      changes.name = name === inflow.person!.name ? null : name;
    }
    if (fields.length > 0) {
      await manager.update(Inflow, { id: inflowId }, changes);
      await this.audit.record({ actor: user, action: 'update', entity: 'inflow', entityId: inflowId, detail: { fields, byReply: exchangeId } }, manager);
    }
    return { ...(name !== undefined ? { name } : {}), ...this.describeChanges(changes, Object.keys(family)) };
  }

  async submit(user: AuthUser, id: string): Promise<InflowResponse> {
    const inflow = await this.loadOwned(user, id);
    if (inflow.status === 'active') throw Errors.conflict('ALREADY_SUBMITTED', '该登记已提交');
    if (inflow.status !== 'draft') throw closed();
    const exchangeIds = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      // The person first, as register_inflow locks it: two stays of one person submitted at once run one after the other.
      await manager.query(`SELECT 1 FROM person WHERE id = $1 FOR UPDATE`, [inflow.personId]);
      // The status condition makes a double submit from two tabs count once.
      const result = await manager.update(Inflow, { id, status: 'draft' }, { status: 'active', submittedAt: now, updatedAt: now });
      if (!result.affected) {
        // Submitted from another tab meanwhile, or ended by the person's registration elsewhere.
        const [row] = await manager.query(`SELECT status FROM inflow WHERE id = $1`, [id]);
        throw row?.status === 'active' ? Errors.conflict('ALREADY_SUBMITTED', '该登记已提交') : closed();
      }
      await this.audit.record({ actor: user, action: 'submit', entity: 'inflow', entityId: id }, manager);
      // Submitting moves the person on from any other open stay (a draft did not), then the same notices as at
      // registration, by the same rules (the database functions both paths call).
      const actor = { now, userId: user.id, username: user.username, userJurisdiction: user.jurisdictionCode, ip: currentRequest()?.ip ?? null };
      const [row] = await manager.query(`SELECT inflow_moves_on($1, $2::jsonb) || inflow_submission_notices($1, $3, $4, $5, $6) AS ids`, [
        id,
        JSON.stringify(actor),
        user.id,
        now,
        this.config.replyTimeLimit.text,
        this.config.replyTimeLimitUrgent.text,
      ]);
      return row.ids as string[];
    });
    await this.outbox.enqueue(exchangeIds);
    return this.toResponse(await this.load(id), false);
  }

  async depart(user: AuthUser, id: string, dto: DepartDto): Promise<InflowResponse> {
    const inflow = await this.loadOwned(user, id);
    if (!OPEN.includes(inflow.status)) throw closed();
    if (dto.date < inflow.arrivalDate) throw Errors.validation([{ field: 'date', message: '不能早于到达日期' }]);
    if (dto.date > todayInShanghai()) throw Errors.validation([{ field: 'date', message: '不能晚于今天' }]);
    const exchangeIds = await this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const result = await manager
        .createQueryBuilder()
        .update(Inflow)
        .set({ status: dto.kind, closedAt: now, departureDate: dto.date, updatedAt: now })
        .where('id = :id AND status IN (:...open)', { id, open: OPEN })
        .execute();
      if (!result.affected) throw closed();
      await this.audit.record({ actor: user, action: dto.kind, entity: 'inflow', entityId: id }, manager);
      // A draft was never sent, so the origin has nothing to update.
      const ids =
        inflow.status !== 'active'
          ? []
          : await this.outbox.add(manager, [
              {
                caseId: inflow.caseId,
                type: 'departure_notice',
                fromUnitCode: inflow.destinationCode,
                toUnitCode: inflow.householdCode,
                payload: { inflowId: id, kind: dto.kind, date: dto.date },
                createdBy: user.id,
                sentAt: now,
              },
            ]);
      // Home again: the origin's outflow for this stay ends on that date, so effective contact stops counting the person.
      if (dto.kind === 'returned')
        await this.outflows.closeOnReturn(manager, user, inflow.caseId, dto.date, { by: 'departure_notice', exchangeId: ids[0] ?? null, inflowId: id });
      await this.cases.closeIfEnded(manager, inflow.caseId, now);
      return ids;
    });
    await this.outbox.enqueue(exchangeIds);
    return this.toResponse(await this.load(id), false);
  }

  /** Loads an inflow the caller may see (destination or household side), or 404. */
  async loadVisible(user: AuthUser, id: string): Promise<Inflow> {
    const inflow = await this.inflows.findOne({ where: { id }, relations: { person: true } });
    if (!inflow) throw Errors.notFound('流入登记');
    // A draft is its destination's own until submitted: the origin it names has not been told.
    const originSide = inflow.status !== 'draft' && inScope(user, inflow.householdCode);
    if (!(inScope(user, inflow.destinationCode) || originSide)) throw Errors.notFound('流入登记');
    return inflow;
  }

  toResponse(inflow: Inflow, full: boolean): InflowResponse {
    return toInflowResponse(inflow, full, this.cipher);
  }

  private async load(id: string): Promise<Inflow> {
    return (await this.inflows.findOne({ where: { id }, relations: { person: true } })) as Inflow;
  }

  /** Changes belong to the destination side: the origin may read the record but not edit it. */
  private async loadOwned(user: AuthUser, id: string): Promise<Inflow> {
    const inflow = await this.loadVisible(user, id);
    if (!inScope(user, inflow.destinationCode)) throw Errors.forbidden('NOT_DESTINATION_SIDE', '只有现居住地可以修改流入登记');
    return inflow;
  }

  /**
   * The columns a PATCH (or a reply's corrections) changes, after the rules of registration: no pregnancy for a man,
   * children born after the parent, a spouse only while married (a change to unmarried, divorced or widowed clears it).
   * `prefix` names the fields as the client sent them (`corrections.` for a reply).
   */
  private changesFor(inflow: Inflow, dto: UpdateInflowDto, prefix = ''): { changes: Partial<Inflow>; fields: string[] } {
    const person = inflow.person!;
    if (dto.pregnant === true && person.sex === 'male') throw Errors.validation([{ field: `${prefix}pregnant`, message: '男性不能登记为怀孕' }]);
    checkChildren(birthDateOfPerson(person, this.cipher), dto.children, prefix);
    const maritalStatus = dto.maritalStatus ?? inflow.maritalStatus;
    checkSpouse(maritalStatus, dto.spouse, (id) => this.cipher.hash(id) === person.idHash, prefix);
    const changes: Partial<Inflow> = { updatedAt: new Date() };
    for (const key of ['address', 'phone', 'maritalStatus', 'contraception', 'pregnant'] as const) {
      if (dto[key] !== undefined) (changes as Record<string, unknown>)[key] = dto[key];
    }
    if (dto.children !== undefined) changes.children = normaliseChildren(dto.children);
    if (dto.spouse !== undefined) Object.assign(changes, spouseColumns(dto.spouse, this.cipher));
    else if (!isMarried(maritalStatus) && inflow.spouseName) Object.assign(changes, spouseColumns(null, this.cipher));
    const fields = [...EDITABLE_FIELDS].filter((f) => changed(inflow, changes, f));
    return { changes, fields };
  }

  /** The new values of the changed fields, as another side may see them (a spouse's ID number masked). */
  private describeChanges(changes: Partial<Inflow>, fields: string[]): Record<string, unknown> {
    const described: Record<string, unknown> = {};
    for (const field of fields) {
      if (field === 'spouse') {
        described.spouse = changes.spouseName ? { name: changes.spouseName, idNumber: changes.spouseIdMasked } : null;
      } else if (field in changes) {
        described[field] = (changes as Record<string, unknown>)[field];
      }
    }
    if (!fields.includes('spouse') && 'spouseName' in changes && changes.spouseName === null) described.spouse = null;
    return described;
  }
}

/** What PATCH may change, and which of it the origin must hear of. */
const EDITABLE_FIELDS = ['address', 'phone', 'maritalStatus', 'spouse', 'children', 'contraception', 'pregnant'];
const ORIGIN_FIELDS = ['name', 'householdCode', 'pregnant', 'children', 'contraception', 'maritalStatus', 'spouse'];

function changed(before: Inflow, changes: Partial<Inflow>, field: string): boolean {
  if (field === 'spouse') {
    return 'spouseName' in changes && (changes.spouseName !== before.spouseName || changes.spouseIdMasked !== before.spouseIdMasked);
  }
  const key = field as keyof Inflow;
  return key in changes && JSON.stringify(changes[key]) !== JSON.stringify(before[key]);
}

function closed() {
  return Errors.conflict('INVALID_STATE', '该登记已结束（已迁离或返乡），不能再修改');
}

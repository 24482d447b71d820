import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { townshipOf } from '@/common/division-code';
import { ChildDto, SpouseDto } from '@/common/dto';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { birthDateOf, maskIdNumber, sexOf } from '@/common/identity';
import { offsetOf, Page, pageOf } from '@/common/pagination';
import { AuthUser, inScope, scopeRange } from '@/common/scope';
import { endOfShanghaiDay, startOfShanghaiDay, todayInShanghai } from '@/common/time';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { CaseLinker } from '@/modules/cases/case-linker';
import { CertificatesService } from '@/modules/certificates/certificates.service';
import { ExchangeOutbox, ExchangeSpec } from '@/modules/exchanges/exchange-outbox';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { OutflowsService } from '@/modules/outflows/outflows.service';
import { PersonRef, PersonsService, toPersonRef } from '@/modules/persons/persons.service';
import { CertificateCheck, Inflow } from './inflow.entity';
import { CreateInflowDto, DepartDto, InflowCorrectionsDto, InflowQuery, UpdateInflowDto } from './inflows.dto';
import { isAdultOn, notAMigrantReason } from './migrant-rules';

export interface InflowResponse {
  id: string;
  caseId: string;
  person: PersonRef;
  householdCode: string;
  destinationCode: string;
  originTownshipCode: string;
  destinationTownshipCode: string;
  address: string;
  phone: string | null;
  arrivalDate: string;
  reason: Inflow['reason'];
  maritalStatus: Inflow['maritalStatus'];
  spouse: { name: string; idNumber: string } | null;
  children: Inflow['children'];
  contraception: Inflow['contraception'];
  pregnant: boolean;
  certificateNumber: string | null;
  undertaking: boolean;
  keyTarget: boolean;
  certificateCheck: CertificateCheck;
  legacy: boolean;
  status: Inflow['status'];
  registeredAt: string;
  submittedAt: string | null;
  submissionDueAt: string;
  closedAt: string | null;
  departureDate: string | null;
}

const OPEN = ['draft', 'active'];

@Injectable()
export class InflowsService {
  constructor(
    @InjectRepository(Inflow) private readonly inflows: Repository<Inflow>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly persons: PersonsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly cases: CaseLinker,
    private readonly cipher: IdCipher,
    private readonly audit: AuditService,
    private readonly outbox: ExchangeOutbox,
    private readonly certificates: CertificatesService,
    private readonly outflows: OutflowsService,
  ) {}

  /** `source` is set by the bulk import: the same rules, the import's id on the row, and legacy rows marked. */
  async register(user: AuthUser, dto: CreateInflowDto, source?: { importId: string; legacy: boolean }): Promise<InflowResponse> {
    const { idNumber } = dto.person;
    const sex = sexOf(idNumber);
    const birthDate = birthDateOf(idNumber);
    if (dto.person.sex && dto.person.sex !== sex) throw Errors.validation([{ field: 'person.sex', message: '与身份证号码显示的性别不一致' }]);
    if (dto.person.birthDate && dto.person.birthDate !== birthDate) {
      throw Errors.validation([{ field: 'person.birthDate', message: '与身份证号码显示的出生日期不一致' }]);
    }
    await this.checkPlaces(user, dto.householdCode, dto.destinationCode);
    this.checkFamily(sex, birthDate, dto);
    if (dto.arrivalDate > todayInShanghai()) throw Errors.validation([{ field: 'arrivalDate', message: '不能晚于今天' }]);
    if (dto.arrivalDate < birthDate) throw Errors.validation([{ field: 'arrivalDate', message: '不能早于出生日期' }]);

    const notMigrant = notAMigrantReason(dto.householdCode, dto.destinationCode);
    if (notMigrant) throw Errors.unprocessable('NOT_A_MIGRANT', notMigrant, [{ field: 'destinationCode', message: notMigrant }]);
    if (!isAdultOn(birthDate, dto.arrivalDate)) {
      const message = '到达时未满 18 周岁，不属于流动人口登记范围';
      throw Errors.unprocessable('NOT_A_MIGRANT', message, [{ field: 'person.idNumber', message }]);
    }

    const certificateCheck = await this.certificates.checkForInflow(idNumber, dto.certificateNumber, dto.arrivalDate, dto.undertaking ?? false);
    const now = new Date();
    const submit = dto.submit !== false;

    const { inflow, exchangeIds } = await this.dataSource.transaction(async (manager) => {
      const specs: ExchangeSpec[] = [];
      const person = await this.persons.upsertAndLock(manager, idNumber, dto.person.name, dto.householdCode);
      const destinationTownshipCode = townshipOf(dto.destinationCode);
      const state = await this.cases.personState(manager, person.id);
      const here = state.open.find((i) => i.destinationTownshipCode === destinationTownshipCode);
      if (here) {
        throw Errors.conflict('ALREADY_REGISTERED', '此人已在本乡镇（街道）登记，请勿重复登记', [
          { field: 'person.idNumber', message: '已有有效登记', existingId: here.id },
        ]);
      }
      // Registered here while active elsewhere: the earlier stay ends as moved on.
      for (const earlier of state.open) {
        await manager.update(Inflow, { id: earlier.id }, { status: 'moved_on', closedAt: now, updatedAt: now });
        await this.cases.closeIfEnded(manager, earlier.caseId, now);
        await this.audit.record({ actor: user, action: 'moved_on', entity: 'inflow', entityId: earlier.id, detail: { by: 'registration_elsewhere' } }, manager);
        // The previous destination and the origin learn that the person moved on (domain.md, Cases and linkage).
        const payload = { inflowId: earlier.id, kind: 'moved_on', date: dto.arrivalDate, newDestinationCode: dto.destinationCode };
        specs.push(
          { caseId: earlier.caseId, type: 'departure_notice', fromUnitCode: dto.destinationCode, toUnitCode: earlier.destinationCode, payload, createdBy: user.id, sentAt: now },
          { caseId: earlier.caseId, type: 'departure_notice', fromUnitCode: dto.destinationCode, toUnitCode: dto.householdCode, payload, createdBy: user.id, sentAt: now },
        );
      }
      const caseId = await this.cases.caseForInflow(manager, state, person.id, townshipOf(dto.householdCode), destinationTownshipCode);
      const values = manager.getRepository(Inflow).create({
        caseId,
        personId: person.id,
        householdCode: dto.householdCode,
        destinationCode: dto.destinationCode,
        originTownshipCode: townshipOf(dto.householdCode),
        destinationTownshipCode,
        address: dto.address,
        phone: dto.person.phone ?? null,
        arrivalDate: dto.arrivalDate,
        reason: dto.reason,
        maritalStatus: dto.maritalStatus,
        ...this.spouseColumns(dto.spouse),
        children: normaliseChildren(dto.children),
        contraception: dto.contraception,
        pregnant: dto.pregnant ?? false,
        certificateNumber: dto.certificateNumber ?? null,
        undertaking: dto.undertaking ?? false,
        certificateCheck,
        keyTarget: !['not_required', 'valid', 'undertaking'].includes(certificateCheck),
        legacy: source?.legacy ?? false,
        importId: source?.importId ?? null,
        status: submit ? 'active' : 'draft',
        registeredAt: now,
        submittedAt: submit ? now : null,
        submissionDueAt: new Date(now.getTime() + this.config.submissionTimeLimitMs),
        closedAt: null,
        departureDate: null,
        createdBy: user.id,
        updatedAt: now,
      });
      const inserted = await manager.insert(Inflow, values);
      values.id = inserted.identifiers[0].id as string;
      values.person = person;
      await this.audit.record({ actor: user, action: 'create', entity: 'inflow', entityId: values.id, detail: { submitted: submit, caseId } }, manager);
      if (submit) specs.push(...this.submissionNotices(values, user, now));
      return { inflow: values, exchangeIds: await this.outbox.add(manager, specs) };
    });
    await this.outbox.enqueue(exchangeIds);
    // Built from what was written, not read back: one round trip less on the busiest endpoint.
    return this.toResponse(inflow, false);
  }

  async list(user: AuthUser, query: InflowQuery): Promise<Page<InflowResponse>> {
    const { low, high } = scopeRange(user);
    const qb = this.inflows
      .createQueryBuilder('i')
      .innerJoinAndSelect('i.person', 'p')
      .where('i.destination_code BETWEEN :low AND :high', { low, high })
      .orderBy('i.registered_at', 'DESC')
      .addOrderBy('i.id')
      .offset(offsetOf(query))
      .limit(query.pageSize);
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    if (query.from) qb.andWhere('i.registered_at >= :from', { from: startOfShanghaiDay(query.from) });
    if (query.to) qb.andWhere('i.registered_at < :to', { to: endOfShanghaiDay(query.to) });
    if (query.q) {
      const q = query.q.trim().toUpperCase();
      // A full ID number is matched through its keyed hash; anything else is a name.
      if (/^\d{17}[\dX]$/.test(q)) qb.andWhere('p.id_hash = :hash', { hash: this.cipher.hash(q) });
      else qb.andWhere('p.name LIKE :name', { name: `${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    }
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(rows.map((r) => this.toResponse(r, false)), total, query);
  }

  /** The full record, ID numbers unmasked, for either side of the case; audited. */
  async detail(user: AuthUser, id: string): Promise<InflowResponse> {
    const inflow = await this.loadVisible(user, id);
    await this.audit.record({ actor: user, action: 'read', entity: 'inflow', entityId: id });
    return this.toResponse(inflow, true);
  }

  async update(user: AuthUser, id: string, dto: UpdateInflowDto): Promise<InflowResponse> {
    const inflow = await this.loadOwned(user, id);
    if (!OPEN.includes(inflow.status)) throw closed();
    const { changes, fields } = this.changesFor(inflow, dto);
    const mattersToOrigin = fields.filter((f) => ORIGIN_FIELDS.includes(f));
    const birth = changes.children !== undefined && changes.children.length > inflow.children.length;
    const exchangeIds = await this.dataSource.transaction(async (manager) => {
      await manager.update(Inflow, { id }, changes);
      await this.audit.record({ actor: user, action: 'update', entity: 'inflow', entityId: id, detail: { fields } }, manager);
      // 服务管理信息: the origin hears of changes it must know once the registration has been sent; a birth needs a reply.
      if (inflow.status !== 'active' || mattersToOrigin.length === 0) return [];
      const payload = { inflowId: id, fields: mattersToOrigin, changes: this.describeChanges(changes, mattersToOrigin), birth };
      return this.outbox.add(manager, [
        { caseId: inflow.caseId, type: 'event_notice', fromUnitCode: inflow.destinationCode, toUnitCode: inflow.householdCode, needsReply: birth, payload, createdBy: user.id, sentAt: changes.updatedAt as Date },
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
  async applyCorrections(manager: EntityManager, user: AuthUser, inflowId: string, dto: InflowCorrectionsDto, exchangeId: string): Promise<Record<string, unknown>> {
    const inflow = await manager.findOne(Inflow, { where: { id: inflowId }, relations: { person: true } });
    if (!inflow) throw Errors.conflict('NO_INFLOW', '该个案尚无流入登记，无法更正');
    const { name, ...family } = dto;
    const { changes, fields } = this.changesFor(inflow, family, 'corrections.');
    if (name !== undefined && name !== inflow.person!.name) {
      await this.persons.rename(manager, inflow.personId, name);
      fields.push('name');
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
      // The status condition makes a double submit from two tabs count once.
      const result = await manager.update(Inflow, { id, status: 'draft' }, { status: 'active', submittedAt: now, updatedAt: now });
      if (!result.affected) throw Errors.conflict('ALREADY_SUBMITTED', '该登记已提交');
      await this.audit.record({ actor: user, action: 'submit', entity: 'inflow', entityId: id }, manager);
      return this.outbox.add(manager, this.submissionNotices(inflow, user, now));
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
      const ids = inflow.status !== 'active' ? [] : await this.outbox.add(manager, [
        { caseId: inflow.caseId, type: 'departure_notice', fromUnitCode: inflow.destinationCode, toUnitCode: inflow.householdCode, payload: { inflowId: id, kind: dto.kind, date: dto.date }, createdBy: user.id, sentAt: now },
      ]);
      // Home again: the origin's outflow for this stay ends on that date, so effective contact stops counting the person.
      if (dto.kind === 'returned') await this.outflows.closeOnReturn(manager, user, inflow.caseId, dto.date, { by: 'departure_notice', exchangeId: ids[0] ?? null, inflowId: id });
      await this.cases.closeIfEnded(manager, inflow.caseId, now);
      return ids;
    });
    await this.outbox.enqueue(exchangeIds);
    return this.toResponse(await this.load(id), false);
  }

  /** Loads an inflow the caller may see (destination or household side), or 404. */
  async loadVisible(user: AuthUser, id: string): Promise<Inflow> {
    const inflow = await this.inflows.findOne({ where: { id }, relations: { person: true } });
    if (!inflow || !(inScope(user, inflow.destinationCode) || inScope(user, inflow.householdCode))) throw Errors.notFound('流入登记');
    return inflow;
  }

  toResponse(inflow: Inflow, full: boolean): InflowResponse {
    const person = inflow.person!;
    return {
      id: inflow.id,
      caseId: inflow.caseId,
      person: full ? { ...toPersonRef(person), idNumber: this.cipher.decrypt(person.idCipher) } : toPersonRef(person),
      householdCode: inflow.householdCode,
      destinationCode: inflow.destinationCode,
      originTownshipCode: inflow.originTownshipCode,
      destinationTownshipCode: inflow.destinationTownshipCode,
      address: inflow.address,
      phone: inflow.phone,
      arrivalDate: inflow.arrivalDate,
      reason: inflow.reason,
      maritalStatus: inflow.maritalStatus,
      spouse:
        inflow.spouseName && inflow.spouseIdCipher
          ? { name: inflow.spouseName, idNumber: full ? this.cipher.decrypt(inflow.spouseIdCipher) : (inflow.spouseIdMasked as string) }
          : null,
      children: inflow.children,
      contraception: inflow.contraception,
      pregnant: inflow.pregnant,
      certificateNumber: inflow.certificateNumber,
      undertaking: inflow.undertaking,
      keyTarget: inflow.keyTarget,
      certificateCheck: inflow.certificateCheck,
      legacy: inflow.legacy,
      status: inflow.status,
      registeredAt: inflow.registeredAt.toISOString(),
      submittedAt: inflow.submittedAt?.toISOString() ?? null,
      submissionDueAt: inflow.submissionDueAt.toISOString(),
      closedAt: inflow.closedAt?.toISOString() ?? null,
      departureDate: inflow.departureDate,
    };
  }

  /** What submitting owes the origin: the inflow notice and, for a key target, a verification request (urgent when pregnant). */
  private submissionNotices(inflow: Inflow, user: AuthUser, at: Date): ExchangeSpec[] {
    const base = { caseId: inflow.caseId, fromUnitCode: inflow.destinationCode, toUnitCode: inflow.householdCode, createdBy: user.id, sentAt: at };
    const specs: ExchangeSpec[] = [
      { ...base, type: 'inflow_notice', payload: { inflowId: inflow.id, arrivalDate: inflow.arrivalDate, destinationCode: inflow.destinationCode, reason: inflow.reason } },
    ];
    if (inflow.keyTarget) {
      specs.push({ ...base, type: 'verification_request', urgent: inflow.pregnant, payload: { inflowId: inflow.id, certificateCheck: inflow.certificateCheck, certificateNumber: inflow.certificateNumber } });
    }
    return specs;
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

  private async checkPlaces(user: AuthUser, householdCode: string, destinationCode: string): Promise<void> {
    if (!inScope(user, destinationCode)) throw Errors.outOfJurisdiction('destinationCode');
    await this.jurisdictions.requireLocal(destinationCode, 'destinationCode');
    await this.jurisdictions.requireLocal(householdCode, 'householdCode');
  }

  private checkFamily(sex: 'male' | 'female', birthDate: string, dto: CreateInflowDto): void {
    if (dto.pregnant === true && sex === 'male') throw Errors.validation([{ field: 'pregnant', message: '男性不能登记为怀孕' }]);
    checkSpouse(dto.maritalStatus, dto.spouse, (id) => id === dto.person.idNumber, '');
    checkChildren(birthDate, dto.children, '');
  }

  /**
   * The columns a PATCH (or a reply's corrections) changes, after the rules of registration: no pregnancy for a man,
   * children born after the parent, a spouse only while married (a change to unmarried, divorced or widowed clears it).
   * `prefix` names the fields as the client sent them (`corrections.` for a reply).
   */
  private changesFor(inflow: Inflow, dto: UpdateInflowDto, prefix = ''): { changes: Partial<Inflow>; fields: string[] } {
    const person = inflow.person!;
    if (dto.pregnant === true && person.sex === 'male') throw Errors.validation([{ field: `${prefix}pregnant`, message: '男性不能登记为怀孕' }]);
    checkChildren(person.birthDate, dto.children, prefix);
    const maritalStatus = dto.maritalStatus ?? inflow.maritalStatus;
    checkSpouse(maritalStatus, dto.spouse, (id) => this.cipher.hash(id) === person.idHash, prefix);
    const changes: Partial<Inflow> = { updatedAt: new Date() };
    for (const key of ['address', 'phone', 'maritalStatus', 'contraception', 'pregnant'] as const) {
      if (dto[key] !== undefined) (changes as Record<string, unknown>)[key] = dto[key];
    }
    if (dto.children !== undefined) changes.children = normaliseChildren(dto.children);
    if (dto.spouse !== undefined) Object.assign(changes, this.spouseColumns(dto.spouse));
    else if (!isMarried(maritalStatus) && inflow.spouseName) Object.assign(changes, this.spouseColumns(null));
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

  private spouseColumns(spouse: SpouseDto | null | undefined): Pick<Inflow, 'spouseName' | 'spouseIdCipher' | 'spouseIdMasked'> {
    if (!spouse) return { spouseName: null, spouseIdCipher: null, spouseIdMasked: null };
    return { spouseName: spouse.name, spouseIdCipher: this.cipher.encrypt(spouse.idNumber), spouseIdMasked: maskIdNumber(spouse.idNumber) };
  }
}

function normaliseChildren(children: ChildDto[] | undefined): Inflow['children'] {
  return (children ?? []).map((c) => ({ sex: c.sex, birthDate: c.birthDate })).sort((a, b) => a.birthDate.localeCompare(b.birthDate));
}

/** What PATCH may change, and which of it the origin must hear of. */
const EDITABLE_FIELDS = ['address', 'phone', 'maritalStatus', 'spouse', 'children', 'contraception', 'pregnant'];
const ORIGIN_FIELDS = ['pregnant', 'children', 'contraception', 'maritalStatus', 'spouse'];

function isMarried(status: Inflow['maritalStatus']): boolean {
  return status === 'first_married' || status === 'remarried';
}

function checkSpouse(maritalStatus: Inflow['maritalStatus'], spouse: SpouseDto | null | undefined, isSelf: (idNumber: string) => boolean, prefix: string): void {
  if (!spouse) return;
  if (!isMarried(maritalStatus)) throw Errors.validation([{ field: `${prefix}spouse`, message: '婚姻状况为未婚、离婚或丧偶时不应填写配偶' }]);
  if (isSelf(spouse.idNumber)) throw Errors.validation([{ field: `${prefix}spouse.idNumber`, message: '配偶不能是本人' }]);
}

function checkChildren(parentBirthDate: string, children: ChildDto[] | undefined, prefix: string): void {
  const today = todayInShanghai();
  (children ?? []).forEach((child, index) => {
    if (child.birthDate > today) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能晚于今天' }]);
    if (child.birthDate <= parentBirthDate) throw Errors.validation([{ field: `${prefix}children[${index}].birthDate`, message: '不能早于本人出生日期' }]);
  });
}

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

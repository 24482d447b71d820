import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
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
import { PersonRef, PersonsService, toPersonRef } from '@/modules/persons/persons.service';
import { CertificateCheck, Inflow } from './inflow.entity';
import { CreateInflowDto, DepartDto, InflowQuery, UpdateInflowDto } from './inflows.dto';
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
    const person = inflow.person!;
    if (dto.pregnant === true && person.sex === 'male') throw Errors.validation([{ field: 'pregnant', message: '男性不能登记为怀孕' }]);
    this.checkChildren(person.birthDate, dto.children);
    const changes: Partial<Inflow> = { updatedAt: new Date() };
    const fields: string[] = [];
    for (const key of ['address', 'phone', 'maritalStatus', 'contraception', 'pregnant'] as const) {
      if (dto[key] !== undefined) {
        (changes as Record<string, unknown>)[key] = dto[key];
        fields.push(key);
      }
    }
    if (dto.children !== undefined) {
      changes.children = normaliseChildren(dto.children);
      fields.push('children');
    }
    if (dto.spouse !== undefined) {
      Object.assign(changes, this.spouseColumns(dto.spouse));
      fields.push('spouse');
    }
    const mattersToOrigin = fields.filter((f) => ['pregnant', 'children', 'contraception', 'maritalStatus', 'spouse'].includes(f) && changed(inflow, changes, f));
    const birth = changes.children !== undefined && changes.children.length > inflow.children.length;
    const exchangeIds = await this.dataSource.transaction(async (manager) => {
      await manager.update(Inflow, { id }, changes);
      await this.audit.record({ actor: user, action: 'update', entity: 'inflow', entityId: id, detail: { fields } }, manager);
      // 服务管理信息: the origin hears of changes it must know once the registration has been sent; a birth needs a reply.
      if (inflow.status !== 'active' || mattersToOrigin.length === 0) return [];
      return this.outbox.add(manager, [
        { caseId: inflow.caseId, type: 'event_notice', fromUnitCode: inflow.destinationCode, toUnitCode: inflow.householdCode, needsReply: birth, payload: { inflowId: id, fields: mattersToOrigin, birth }, createdBy: user.id, sentAt: changes.updatedAt as Date },
      ]);
    });
    await this.outbox.enqueue(exchangeIds);
    return this.toResponse(await this.load(id), false);
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
      await this.cases.closeIfEnded(manager, inflow.caseId, now);
      await this.audit.record({ actor: user, action: dto.kind, entity: 'inflow', entityId: id }, manager);
      // A draft was never sent, so the origin has nothing to update.
      if (inflow.status !== 'active') return [];
      return this.outbox.add(manager, [
        { caseId: inflow.caseId, type: 'departure_notice', fromUnitCode: inflow.destinationCode, toUnitCode: inflow.householdCode, payload: { inflowId: id, kind: dto.kind, date: dto.date }, createdBy: user.id, sentAt: now },
      ]);
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
    const married = dto.maritalStatus === 'first_married' || dto.maritalStatus === 'remarried';
    if (dto.spouse && !married) throw Errors.validation([{ field: 'spouse', message: '婚姻状况为未婚、离婚或丧偶时不应填写配偶' }]);
    if (dto.spouse && dto.spouse.idNumber === dto.person.idNumber) throw Errors.validation([{ field: 'spouse.idNumber', message: '配偶不能是本人' }]);
    this.checkChildren(birthDate, dto.children);
  }

  private checkChildren(parentBirthDate: string, children: ChildDto[] | undefined): void {
    const today = todayInShanghai();
    (children ?? []).forEach((child, index) => {
      if (child.birthDate > today) throw Errors.validation([{ field: `children[${index}].birthDate`, message: '不能晚于今天' }]);
      if (child.birthDate <= parentBirthDate) throw Errors.validation([{ field: `children[${index}].birthDate`, message: '不能早于本人出生日期' }]);
    });
  }

  private spouseColumns(spouse: SpouseDto | null | undefined): Pick<Inflow, 'spouseName' | 'spouseIdCipher' | 'spouseIdMasked'> {
    if (!spouse) return { spouseName: null, spouseIdCipher: null, spouseIdMasked: null };
    return { spouseName: spouse.name, spouseIdCipher: this.cipher.encrypt(spouse.idNumber), spouseIdMasked: maskIdNumber(spouse.idNumber) };
  }
}

function normaliseChildren(children: ChildDto[] | undefined): Inflow['children'] {
  return (children ?? []).map((c) => ({ sex: c.sex, birthDate: c.birthDate })).sort((a, b) => a.birthDate.localeCompare(b.birthDate));
}

function changed(before: Inflow, changes: Partial<Inflow>, field: string): boolean {
  if (field === 'spouse') return changes.spouseName !== before.spouseName || changes.spouseIdMasked !== before.spouseIdMasked;
  const key = field as keyof Inflow;
  return JSON.stringify(changes[key]) !== JSON.stringify(before[key]);
}

function closed() {
  return Errors.conflict('INVALID_STATE', '该登记已结束（已迁离或返乡），不能再修改');
}

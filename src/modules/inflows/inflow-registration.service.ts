import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { levelOf, townshipOf } from '@/common/division-code';
import { AppError, Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { birthDateOf, maskIdNumber, sexOf } from '@/common/identity';
import { currentRequest } from '@/common/request-context';
import { AuthUser, inScope } from '@/common/scope';
import { todayInShanghai } from '@/common/time';
import { limitEnd } from '@/common/time-limit';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { CertificatesService } from '@/modules/certificates/certificates.service';
import { ExchangeOutbox } from '@/modules/exchanges/exchange-outbox';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { Person } from '@/modules/persons/person.entity';
import { checkChildren, checkSpouse, normaliseChildren, spouseColumns } from '@/modules/persons/family';
import { Inflow } from './inflow.entity';
import { InflowResponse, toInflowResponse } from './inflow-response';
import { CreateInflowDto } from './inflows.dto';
import { isAdultOn, notAMigrantReason } from './migrant-rules';

/** What `register_inflow` answers: the ids it made and the person as stored. */
interface Registered {
  inflowId: string;
  caseId: string;
  exchangeIds: string[];
  person: {
    id: string;
    idHash: string;
    idCipher: string;
    idMasked: string;
    name: string;
    sex: 'male' | 'female';
    householdCode: string | null;
    createdAt: string;
    updatedAt: string;
  };
}

/** PostgreSQL's error for a refusal the database function raises (migrations/1795392600000-RegisterInflow.ts). */
interface RaisedError {
  code?: string;
  message?: string;
  detail?: string;
}

/** A registration checked and ready for `register_inflow`: the call's argument and what the answer is built from. */
export interface PreparedRegistration {
  call: Record<string, unknown>;
  columns: Partial<Inflow>;
  submit: boolean;
  now: Date;
}

/** The SQLSTATE `register_inflow` raises a refusal with (migrations/1795392600000-RegisterInflow.ts). */
const ALREADY_REGISTERED_STATE = 'LD409';

function alreadyRegistered(existingId: string | undefined): AppError {
  return Errors.conflict('ALREADY_REGISTERED', '此人已在本乡镇（街道）登记，请勿重复登记', [{ field: 'person.idNumber', message: '已有有效登记', existingId }]);
}

/** The rules a registration's own fields must meet, checked before anything is read or written. */
function checkRegistration(dto: CreateInflowDto, sex: 'male' | 'female', birthDate: string): void {
  if (dto.pregnant === true && sex === 'male') throw Errors.validation([{ field: 'pregnant', message: '男性不能登记为怀孕' }]);
  checkSpouse(dto.maritalStatus, dto.spouse, (id) => id === dto.person.idNumber, '');
  checkChildren(birthDate, dto.children, '');
  if (dto.arrivalDate > todayInShanghai()) throw Errors.validation([{ field: 'arrivalDate', message: '不能晚于今天' }]);
  if (dto.arrivalDate < birthDate) throw Errors.validation([{ field: 'arrivalDate', message: '不能早于出生日期' }]);
  const notMigrant = notAMigrantReason(dto.householdCode, dto.destinationCode);
  if (notMigrant) throw Errors.unprocessable('NOT_A_MIGRANT', notMigrant, [{ field: 'destinationCode', message: notMigrant }]);
  if (!isAdultOn(birthDate, dto.arrivalDate)) {
    const message = '到达时未满 18 周岁，不属于流动人口登记范围';
    throw Errors.unprocessable('NOT_A_MIGRANT', message, [{ field: 'person.idNumber', message }]);
  }
}

/**
 * 流入登记 (POST /api/inflows and each row of a bulk import). The rules that need only the request run here; the
 * rules that need the person's other stays, and every write — person, moved-on stay, case, inflow, audit rows and the
 * notices it owes — run in the database function `register_inflow`, in one round trip and one transaction with the
 * person's row locked. The delivery jobs are handed to BullMQ after the commit (the outbox).
 * A registration never changes the person's name or household on record (they are the holder's): a new person gets
 * them from it; otherwise it keeps what it stated on its own record, and a different name asks the origin.
 */
@Injectable()
export class InflowRegistration {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jurisdictions: JurisdictionsService,
    private readonly cipher: IdCipher,
    private readonly certificates: CertificatesService,
    private readonly outbox: ExchangeOutbox,
  ) {}

  /** POST /api/inflows: the rules, then `register_inflow` in one round trip, then the notices handed to BullMQ. */
  /**
   * `alongside` runs in the registration's transaction once the inflow is written (a declaration marked accepted):
   * if it throws, nothing is registered.
   */
  async register(user: AuthUser, dto: CreateInflowDto, alongside?: (manager: EntityManager, inflowId: string) => Promise<void>): Promise<InflowResponse> {
    const prepared = await this.prepare(user, dto);
    let registered: Registered;
    const call = async (manager: EntityManager) => {
      const [row] = await manager.query(`SELECT register_inflow($1::jsonb) AS r`, [JSON.stringify(prepared.call)]);
      const answer = row.r as Registered;
      if (alongside) await alongside(manager, answer.inflowId);
      return answer;
    };
    try {
      registered = alongside ? await this.db.transaction(call) : await call(this.db.manager);
    } catch (error) {
      const raised = error as RaisedError;
      if (raised.code === ALREADY_REGISTERED_STATE && raised.message === 'ALREADY_REGISTERED') throw alreadyRegistered(raised.detail);
      throw error;
    }
    await this.outbox.enqueue(registered.exchangeIds);
    return this.response(user, dto, prepared, registered);
  }

  /**
   * A bulk import's batch, in one round trip and the caller's transaction: every prepared row through the same
   * `register_inflow`, a row already registered answered with its refusal and the others kept. Nothing is enqueued:
   * the caller hands the exchange ids to the outbox after its commit.
   */
  async registerBatch(manager: EntityManager, rows: PreparedRegistration[]): Promise<({ exchangeIds: string[] } | AppError)[]> {
    if (rows.length === 0) return [];
    const answers: { r: { ok: Registered } | { refused: string; detail: string } }[] = await manager.query(
      `SELECT r FROM register_inflows($1::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n`,
      [JSON.stringify(rows.map((row) => row.call))],
    );
    return answers.map(({ r }) => ('ok' in r ? { exchangeIds: r.ok.exchangeIds } : alreadyRegistered(r.detail)));
  }

  /**
   * The rules that need only the request (and the certificate table), and the call to `register_inflow` they lead to.
   * `source` is set by the bulk import: the import's id on the row, and legacy rows marked. `rules.countyHousehold`
   * is a grid worker's declaration (field-collection.md): its phone offline offers 户籍地 down to county only, and the
   * clerk completes it before accepting; every other rule and message is the registration's.
   */
  async prepare(
    user: AuthUser,
    dto: CreateInflowDto,
    source?: { importId: string; legacy: boolean },
    rules: { countyHousehold?: boolean } = {},
  ): Promise<PreparedRegistration> {
    const { idNumber } = dto.person;
    const sex = sexOf(idNumber);
    const birthDate = birthDateOf(idNumber);
    // In the order a clerk reads the form: the person, the places, the family, the dates, then who counts as a migrant.
    if (dto.person.sex && dto.person.sex !== sex) throw Errors.validation([{ field: 'person.sex', message: '与身份证号码显示的性别不一致' }]);
    if (dto.person.birthDate && dto.person.birthDate !== birthDate) {
      throw Errors.validation([{ field: 'person.birthDate', message: '与身份证号码显示的出生日期不一致' }]);
    }
    if (!inScope(user, dto.destinationCode)) throw Errors.outOfJurisdiction('destinationCode');
    await this.jurisdictions.requireLocal(dto.destinationCode, 'destinationCode');
    if (rules.countyHousehold && levelOf(dto.householdCode) === 'county') await this.jurisdictions.require(dto.householdCode, 'householdCode');
    else await this.jurisdictions.requireLocal(dto.householdCode, 'householdCode');
    checkRegistration(dto, sex, birthDate);
    const certificateCheck = await this.certificates.checkForInflow(idNumber, dto.certificateNumber, dto.arrivalDate, dto.undertaking ?? false);
    const keyTarget = !['not_required', 'valid', 'undertaking'].includes(certificateCheck);
    const submit = dto.submit !== false;
    const now = new Date();
    const submissionDueAt = limitEnd(now, this.config.submissionTimeLimit, this.config.calendar);
    const person = {
      idHash: this.cipher.hash(idNumber),
      idCipher: this.cipher.encrypt(idNumber),
      idMasked: maskIdNumber(idNumber),
      name: dto.person.name,
      sex,
    };
    // The inflow's own columns: sent to the database function, and the answer is built from them (not read back).
    const columns = {
      householdCode: dto.householdCode,
      destinationCode: dto.destinationCode,
      address: dto.address,
      phone: dto.person.phone ?? null,
      arrivalDate: dto.arrivalDate,
      reason: dto.reason,
      maritalStatus: dto.maritalStatus,
      ...spouseColumns(dto.spouse, this.cipher),
      children: normaliseChildren(dto.children),
      contraception: dto.contraception,
      pregnant: dto.pregnant ?? false,
      certificateNumber: dto.certificateNumber ?? null,
      undertaking: dto.undertaking ?? false,
      certificateCheck,
      keyTarget,
      legacy: source?.legacy ?? false,
      importId: source?.importId ?? null,
      submissionDueAt,
    } satisfies Partial<Inflow>;
    const call = {
      ...person,
      ...columns,
      submit,
      now,
      userId: user.id,
      username: user.username,
      userJurisdiction: user.jurisdictionCode,
      ip: currentRequest()?.ip ?? null,
      replyLimit: this.config.replyTimeLimit.text,
      replyLimitUrgent: this.config.replyTimeLimitUrgent.text,
    };
    return { call, columns, submit, now };
  }

  /** 409 as `register_inflow` answers it, asked ahead of a registration (a grid worker's declaration). */
  async assertNotRegistered(idNumber: string, destinationCode: string): Promise<void> {
    const [row] = await this.db.query(`SELECT registered_here(p.id, township_of($2)) AS here FROM person p WHERE p.id_hash = $1`, [
      this.cipher.hash(idNumber),
      destinationCode,
    ]);
    if (row?.here) throw alreadyRegistered(row.here as string);
  }

  private response(user: AuthUser, dto: CreateInflowDto, { columns, submit, now }: PreparedRegistration, registered: Registered): InflowResponse {
    const stored = registered.person;
    const inflow = Object.assign(new Inflow(), {
      ...columns,
      id: registered.inflowId,
      caseId: registered.caseId,
      personId: stored.id,
      // The person's name on record stays the holder's; this registration keeps its own when it differs.
      name: dto.person.name === stored.name ? null : dto.person.name,
      person: Object.assign(new Person(), { ...stored, createdAt: new Date(stored.createdAt), updatedAt: new Date(stored.updatedAt) }),
      originTownshipCode: townshipOf(dto.householdCode),
      destinationTownshipCode: townshipOf(dto.destinationCode),
      status: submit ? 'active' : 'draft',
      registeredAt: now,
      submittedAt: submit ? now : null,
      closedAt: null,
      departureDate: null,
      createdBy: user.id,
      updatedAt: now,
    } satisfies Partial<Inflow>);
    return toInflowResponse(inflow, false, this.cipher);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, In, Repository } from 'typeorm';
import { townshipOf } from '@/common/division-code';
import { batcher } from '@/common/batch';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { ageOn, birthDateOf, maskName, sexOf } from '@/common/identity';
import { AuthUser, assertInScope, inScope } from '@/common/scope';
import { todayInShanghai, ZONE } from '@/common/time';
import { returningRows } from '@/database/sql';
import { AuditService } from '@/modules/audit/audit.service';
import { checkChildren, checkSpouse, isMarried, normaliseChildren, spouseColumns } from '@/modules/persons/family';
import { CertificateCheck, needsCertificate } from './certificate-rules';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { birthDateOfPerson, PersonsService } from '@/modules/persons/persons.service';
import { Certificate, CertificateStatus } from './certificate.entity';
import { CertificateLookupQuery, CertificateView, IssueCertificateDto, RevokeCertificateDto, VerificationView } from './certificates.dto';
import { VerificationCodes } from './verification-code';

export type CertificateResponse = CertificateView;

export type PublicVerification = VerificationView;

const LAPSE_AGE = 50;

/** A certificate in force lapses when the holder turns 50 (derived, so no job has to run on the birthday). */
export function statusOf(c: Pick<Certificate, 'status'>, holderBirthDate: string, today = todayInShanghai()): CertificateStatus {
  if (c.status === 'valid' && ageOn(holderBirthDate, today) >= LAPSE_AGE) return 'lapsed';
  return c.status;
}

@Injectable()
export class CertificatesService {
  /** A person's latest certificate not superseded, by the keyed hash of the ID number: the look-ups of one moment (an import batch's rows) in one query. */
  private readonly latestByHash = batcher<string, Certificate | null>((hashes) => this.latestOf(hashes), 0, 1000);
  /** Certificates by number, with their holder: the numbers shown at one moment in one query. */
  private readonly byNumber = batcher<string, Certificate | null>(
    async (numbers) => {
      const found = await this.certificates.find({ where: { number: In([...numbers]) }, relations: { person: true } });
      const byNumber = new Map(found.map((c) => [c.number, c]));
      return numbers.map((n) => byNumber.get(n) ?? null);
    },
    0,
    1000,
  );

  constructor(
    @InjectRepository(Certificate) private readonly certificates: Repository<Certificate>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly persons: PersonsService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly cipher: IdCipher,
    private readonly codes: VerificationCodes,
    private readonly audit: AuditService,
  ) {}

  async issue(user: AuthUser, dto: IssueCertificateDto): Promise<CertificateResponse> {
    assertInScope(user, dto.householdCode, 'householdCode');
    await this.jurisdictions.requireLocal(dto.householdCode, 'householdCode');
    const { idNumber } = dto.person;
    const birthDate = birthDateOf(idNumber);
    const age = ageOn(birthDate, todayInShanghai());
    if (sexOf(idNumber) !== 'female') throw notEligible('婚育证明仅为育龄妇女（18–49 周岁）办理，男性不需办理');
    if (age < 18 || age > 49) throw notEligible(`婚育证明仅为 18–49 周岁的育龄妇女办理，此人现年 ${age} 周岁`);
    checkSpouse(dto.maritalStatus, dto.spouse, (id) => id === idNumber, '');
    // A certificate states the spouse of a married woman; a registration may leave it for later.
    if (isMarried(dto.maritalStatus) && !dto.spouse) throw Errors.validation([{ field: 'spouse', message: '已婚者须填写配偶姓名和身份证号' }]);
    checkChildren(birthDate, dto.children, '');

    const issuerCode = townshipOf(dto.householdCode);
    const now = new Date();
    const year = DateTime.fromJSDate(now, { zone: ZONE }).year;
    const id = await this.db.transaction(async (manager) => {
      // Only the township holding her household on record issues or supersedes her certificate (quality.md).
      const person = await this.persons.claimAsHolder(manager, user, 'certificate', idNumber, dto.person.name, dto.householdCode);
      // The counter row stays locked until commit: concurrent issues get consecutive numbers, a rollback leaves no gap.
      const [{ last }] = await manager.query(
        `INSERT INTO certificate_serial (issuer_code, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (issuer_code, year) DO UPDATE SET last = certificate_serial.last + 1 RETURNING last`,
        [issuerCode, year],
      );
      const superseded = await returningRows<{ id: string }>(
        manager,
        `UPDATE certificate SET status = 'superseded', superseded_at = $2 WHERE person_id = $1 AND status = 'valid' RETURNING id`,
        [person.id, now],
      );
      const saved = await manager.getRepository(Certificate).save(
        manager.getRepository(Certificate).create({
          number: `${issuerCode}-${year}-${String(last).padStart(5, '0')}`,
          personId: person.id,
          issuerCode,
          householdCode: dto.householdCode,
          holderName: dto.person.name,
          maritalStatus: dto.maritalStatus,
          ...spouseColumns(dto.spouse, this.cipher),
          children: normaliseChildren(dto.children),
          contraception: dto.contraception,
          status: 'valid',
          issuedAt: now,
          issuedBy: user.id,
          supersedesId: superseded[0]?.id ?? null,
        }),
      );
      await this.audit.record(
        { actor: user, action: 'create', entity: 'certificate', entityId: saved.id, detail: { supersedes: superseded[0]?.id ?? null } },
        manager,
      );
      return saved.id;
    });
    return this.toResponse(await this.load(id));
  }

  /** Any staff, exact full ID number only: the person's current certificate (the latest not superseded), audited. */
  /** The current certificate of a holder (by full ID number), or the certificate of a number (superseded ones too). */
  async lookup(user: AuthUser, query: CertificateLookupQuery): Promise<CertificateResponse> {
    if (!query.idNumber === !query.number) {
      throw Errors.validation([{ field: 'idNumber', message: query.idNumber ? '公民身份号码与证明编号只填一项' : '请填写公民身份号码或证明编号' }]);
    }
    const qb = this.certificates.createQueryBuilder('c').innerJoinAndSelect('c.person', 'p');
    if (query.number) qb.where('c.number = :number', { number: query.number });
    else qb.where('p.id_hash = :hash', { hash: this.cipher.hash(query.idNumber as string) }).andWhere(`c.status <> 'superseded'`);
    const found = await qb.orderBy('c.issued_at', 'DESC').getOne();
    await this.audit.record({
      actor: user,
      action: 'lookup',
      entity: 'certificate',
      entityId: found?.id ?? null,
      detail: { found: !!found, by: query.number ? 'number' : 'idNumber' },
    });
    if (!found) throw Errors.notFound('婚育证明');
    return this.toResponse(found);
  }

  async revoke(user: AuthUser, id: string, dto: RevokeCertificateDto): Promise<CertificateResponse> {
    const certificate = await this.load(id);
    if (!inScope(user, certificate.issuerCode) && !inScope(user, certificate.householdCode)) {
      throw Errors.forbidden('NOT_ISSUER', '只有出具证明的乡镇（街道）可以作废婚育证明');
    }
    await this.db.transaction(async (manager) => {
      const rows = await returningRows(
        manager,
        `UPDATE certificate SET status = 'revoked', revoked_at = now(), revoke_reason = $2, revoked_by = $3 WHERE id = $1 AND status = 'valid' RETURNING id`,
        [id, dto.reason, user.id],
      );
      if (rows.length === 0) throw Errors.conflict('INVALID_STATE', '只有有效的婚育证明可以作废');
      await this.audit.record({ actor: user, action: 'revoke', entity: 'certificate', entityId: id }, manager);
    });
    return this.toResponse(await this.load(id));
  }

  /** The full certificate for printing, issuer side only; audited as a full-record read. */
  async forPrint(
    user: AuthUser,
    id: string,
  ): Promise<{ certificate: Certificate; idNumber: string; spouseIdNumber: string | null; issuerName: string; code: string }> {
    const certificate = await this.certificates.findOne({ where: { id }, relations: { person: true } });
    if (!certificate || !(inScope(user, certificate.issuerCode) || inScope(user, certificate.householdCode))) throw Errors.notFound('婚育证明');
    await this.audit.record({ actor: user, action: 'read', entity: 'certificate', entityId: id, detail: { as: 'pdf' } });
    const issuer = await this.jurisdictions.find(certificate.issuerCode);
    return {
      certificate,
      idNumber: this.cipher.decrypt(certificate.person!.idCipher),
      spouseIdNumber: certificate.spouseIdCipher ? this.cipher.decrypt(certificate.spouseIdCipher) : null,
      issuerName: issuer ? (await this.jurisdictions.withFullNames([issuer]))[0].fullName : certificate.issuerCode,
      code: this.codes.issue(certificate.id),
    };
  }

  /** Anyone holding the code: authentic or not, and the minimum needed to see it is hers. */
  async verifyPublic(code: string): Promise<PublicVerification | null> {
    const id = this.codes.read(code);
    if (!id) return null;
    const certificate = await this.certificates.findOne({ where: { id }, relations: { person: true } });
    if (!certificate) return null;
    // The full name (湖北省随州市广水市杨寨镇): a short 杨寨镇 names several townships (api.md).
    const issuerName = (await this.jurisdictions.fullNames([certificate.issuerCode])).get(certificate.issuerCode);
    return {
      authentic: true,
      status: statusOf(certificate, birthDateOfPerson(certificate.person!, this.cipher)),
      number: certificate.number,
      issuer: { code: certificate.issuerCode, name: issuerName ?? '' },
      issuedAt: certificate.issuedAt.toISOString(),
      holder: { name: maskName(certificate.holderName), idNumber: certificate.person!.idMasked },
    };
  }

  /**
   * 查验 on inflow registration (domain.md): the number shown, or — electronic certificates need no paper — the
   * person's current certificate looked up by ID number.
   */
  async checkForInflow(idNumber: string, certificateNumber: string | undefined, arrivalDate: string, undertaking: boolean): Promise<CertificateCheck> {
    const sex = sexOf(idNumber);
    const birthDate = birthDateOf(idNumber);
    if (!needsCertificate(sex, birthDate, arrivalDate)) return 'not_required';
    if (undertaking) return 'undertaking';
    const hash = this.cipher.hash(idNumber);
    if (certificateNumber) {
      const shown = await this.byNumber.load(certificateNumber);
      if (!shown) return 'not_found';
      if (shown.person!.idHash !== hash) return 'mismatch';
      if (shown.status !== 'superseded') return checkOf(statusOf(shown, birthDate));
    }
    const current = await this.latestByHash.load(hash);
    return current ? checkOf(statusOf(current, birthDate)) : 'missing';
  }

  private async latestOf(hashes: readonly string[]): Promise<(Certificate | null)[]> {
    const found = await this.certificates
      .createQueryBuilder('c')
      .innerJoinAndSelect('c.person', 'p')
      // char(64): an array of text would not use the person's index.
      .where('p.id_hash = ANY(CAST(:hashes AS char(64)[]))', { hashes })
      .andWhere(`c.status <> 'superseded'`)
      .orderBy('c.issued_at', 'DESC')
      .getMany();
    const latest = new Map<string, Certificate>();
    for (const c of found) if (!latest.has(c.person!.idHash)) latest.set(c.person!.idHash, c);
    return hashes.map((hash) => latest.get(hash) ?? null);
  }

  private async load(id: string): Promise<Certificate> {
    const certificate = await this.certificates.findOne({ where: { id }, relations: { person: true } });
    if (!certificate) throw Errors.notFound('婚育证明');
    return certificate;
  }

  private codeOf(id: string): Pick<CertificateResponse, 'verificationCode' | 'verifyUrl'> {
    const verificationCode = this.codes.issue(id);
    return { verificationCode, verifyUrl: this.codes.urlOf(verificationCode) };
  }

  private toResponse(c: Certificate): CertificateResponse {
    const person = c.person!;
    const birthDate = birthDateOfPerson(person, this.cipher);
    return {
      id: c.id,
      number: c.number,
      ...this.codeOf(c.id),
      status: statusOf(c, birthDate),
      issuedAt: c.issuedAt.toISOString(),
      issuerCode: c.issuerCode,
      holder: { name: c.holderName, idNumber: person.idMasked, age: ageOn(birthDate, todayInShanghai()) },
      householdCode: c.householdCode,
      maritalStatus: c.maritalStatus,
      spouse: c.spouseName && c.spouseIdMasked ? { name: c.spouseName, idNumber: c.spouseIdMasked } : null,
      children: c.children,
      contraception: c.contraception,
      supersedes: c.supersedesId,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      revokeReason: c.revokeReason,
    };
  }
}

function checkOf(status: CertificateStatus): CertificateCheck {
  return status === 'superseded' ? 'revoked' : status;
}

function notEligible(reason: string) {
  return Errors.unprocessable('NOT_ELIGIBLE', reason, [{ field: 'person.idNumber', message: reason }]);
}

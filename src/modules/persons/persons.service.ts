import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { townshipOf } from '@/common/division-code';
import { ageOn, birthDateOf, maskIdNumber, sexOf } from '@/common/identity';
import { AuthUser, scopeRange } from '@/common/scope';
import { todayInShanghai } from '@/common/time';
import { AuditService } from '@/modules/audit/audit.service';
import { Person } from './person.entity';
import { PersonDetailView, PersonRefView } from './persons.dto';

/**
 * A person as lists show them: the masked number and the age in whole years, never the birth date — the masked part
 * of `421381********0026` is exactly the birth date, so the two side by side would be the full number.
 */
export type PersonRef = PersonRefView;

/** The birth date, read from the encrypted ID number (the person table keeps no birth date beside the masked number). */
export function birthDateOfPerson(person: Pick<Person, 'idCipher'>, cipher: IdCipher): string {
  return birthDateOf(cipher.decrypt(person.idCipher));
}

/** `name`: the name a record stated when it differs from the person's on record (an inflow's own). */
export function toPersonRef(person: Person, cipher: IdCipher, name = person.name): PersonRef {
  return { id: person.id, idNumber: person.idMasked, name, sex: person.sex, age: ageOn(birthDateOfPerson(person, cipher), todayInShanghai()) };
}

export type PersonDetail = PersonDetailView;

/** What may change the household on record, and how its audit row says so. */
export type HolderAct = 'certificate' | 'outflow' | 'reply';

function householdElsewhere() {
  // Names nothing personal: only that the household on record belongs to another township.
  const message = '此人的户籍登记在其他乡镇（街道），须由户籍所在地办理';
  return Errors.conflict('HOUSEHOLD_ELSEWHERE', message, [{ field: 'householdCode', message }]);
}

/**
 * SQL condition: the caller is a side of the person — holds the household on record, or has a record of the person:
 * an inflow whose destination or household is in the subtree, or an outflow whose household is. Writing about a
 * person opens nothing by itself: a certificate or outflow needs the household, a draft is its destination's own.
 * Parameters :low and :high come from scopeRange.
 */
export const PERSON_VISIBLE_SQL = `(
  p.household_code BETWEEN :low AND :high
  OR EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = p.id
          AND (i.destination_code BETWEEN :low AND :high OR (i.status <> 'draft' AND i.household_code BETWEEN :low AND :high)))
  OR EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = p.id AND o.household_code BETWEEN :low AND :high))`;

@Injectable()
export class PersonsService {
  constructor(
    @InjectRepository(Person) private readonly persons: Repository<Person>,
    private readonly cipher: IdCipher,
    private readonly audit: AuditService,
  ) {}

  hashOf(idNumber: string): string {
    return this.cipher.hash(idNumber);
  }

  /**
   * The person with this ID number as the township holding the household writes about them (a certificate, an
   * outflow): created on first sight, locked for the rest of the transaction so that two writes about one person are
   * decided one after the other, and refused (409 HOUSEHOLD_ELSEWHERE) when the household on record is another
   * township's. A person with no household on record is claimed by the first. The holder's name and household replace
   * those on record, audited as a change of the person.
   */
  async claimAsHolder(manager: EntityManager, actor: AuthUser, by: HolderAct, idNumber: string, name: string, householdCode: string): Promise<Person> {
    // Created on first sight, locked either way (person_seen, persons/sql/person.sql).
    const [row] = await manager.query(
      `SELECT (s.seen).id, (s.seen).id_hash, (s.seen).id_cipher, (s.seen).id_masked, (s.seen).name, (s.seen).sex,
              (s.seen).household_code, (s.seen).created_at, (s.seen).updated_at, s.is_new
         FROM person_seen($1, $2, $3, $4, $5, $6) AS s`,
      [this.cipher.hash(idNumber), this.cipher.encrypt(idNumber), maskIdNumber(idNumber), name, sexOf(idNumber), householdCode],
    );
    const person = manager.getRepository(Person).create({
      id: row.id,
      idHash: row.id_hash,
      idCipher: row.id_cipher,
      idMasked: row.id_masked,
      name: row.name,
      sex: row.sex,
      householdCode: row.household_code,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    if (row.is_new) return person;
    if (person.householdCode !== null && townshipOf(person.householdCode) !== townshipOf(householdCode)) throw householdElsewhere();
    await this.correct(manager, actor, person, { name, householdCode }, { by });
    return person;
  }

  /**
   * A change of the name or household on record by one who may make it (the holder; a `corrected` reply of the holder);
   * inside the caller's transaction, audited with the fields (never the values) and what made it. Updates `person`.
   */
  async correct(
    manager: EntityManager,
    actor: AuthUser,
    person: Person,
    to: { name?: string; householdCode?: string | null },
    detail: Record<string, unknown>,
  ): Promise<void> {
    const changes: Partial<Person> = {};
    if (to.name !== undefined && to.name !== person.name) changes.name = to.name;
    if (to.householdCode !== undefined && to.householdCode !== person.householdCode) changes.householdCode = to.householdCode;
    const fields = Object.keys(changes);
    if (fields.length === 0) return;
    await manager.update(Person, { id: person.id }, { ...changes, updatedAt: new Date() });
    Object.assign(person, changes);
    await this.audit.record({ actor, action: 'update', entity: 'person', entityId: person.id, detail: { fields, ...detail } }, manager);
  }

  /**
   * A destination corrects the name or household its registration stated (PATCH /api/inflows/:id). The person's record
   * follows only when that registration is all the service holds of the person — no other registration, no outflow, no
   * certificate — so the record was this registration's own statement (quality.md: "the destination's own correction of
   * its registration"). Otherwise the record stays as its holder left it, and the registration keeps its own values.
   * Locks the person row for the rest of the caller's transaction (as every write about a person does); returns it as
   * it now stands.
   */
  async followRegistration(
    manager: EntityManager,
    actor: AuthUser,
    personId: string,
    inflowId: string,
    to: { name?: string; householdCode?: string },
  ): Promise<Person> {
    const person = (await manager.findOne(Person, { where: { id: personId }, lock: { mode: 'pessimistic_write' } })) as Person;
    const [{ alone }]: { alone: boolean }[] = await manager.query(
      `SELECT NOT EXISTS (SELECT 1 FROM inflow WHERE person_id = $1 AND id <> $2)
          AND NOT EXISTS (SELECT 1 FROM outflow WHERE person_id = $1)
          AND NOT EXISTS (SELECT 1 FROM certificate WHERE person_id = $1) AS alone`,
      [personId, inflowId],
    );
    if (alone) await this.correct(manager, actor, person, to, { by: 'registration', inflowId });
    return person;
  }

  /**
   * The township holding the household answered that the person is not theirs (非本地户籍): the household on record is
   * cleared, so the township that really holds it may claim it (户口迁移). Inside the reply's transaction.
   */
  async disown(manager: EntityManager, actor: AuthUser, personId: string, townshipCode: string, exchangeId: string): Promise<void> {
    const person = await manager.findOne(Person, { where: { id: personId }, lock: { mode: 'pessimistic_write' } });
    if (!person?.householdCode || townshipOf(person.householdCode) !== townshipCode) return;
    await this.correct(manager, actor, person, { householdCode: null }, { by: 'reply', byReply: exchangeId, outcome: 'not_ours' });
  }

  /** Staff of either side get the full record, audited; supervisors and admins a masked view (quality.md). */
  async detail(user: AuthUser, id: string): Promise<PersonDetail> {
    const person = await this.visible(user, 'p.id = :id', { id });
    if (user.role !== 'staff') return this.toDetail(user, person, false);
    await this.audit.record({ actor: user, action: 'read', entity: 'person', entityId: person.id });
    return this.toDetail(user, person, true);
  }

  async lookup(user: AuthUser, idNumber: string): Promise<PersonDetail> {
    const person = await this.visible(user, 'p.id_hash = :hash', { hash: this.cipher.hash(idNumber) });
    await this.audit.record({ actor: user, action: 'lookup', entity: 'person', entityId: person.id, detail: { full: user.role === 'staff' } });
    return this.toDetail(user, person, user.role === 'staff');
  }

  private async visible(user: AuthUser, where: string, params: Record<string, unknown>): Promise<Person> {
    const person = await this.persons.createQueryBuilder('p').where(where, params).andWhere(PERSON_VISIBLE_SQL, scopeRange(user)).getOne();
    // Whether a person exists is itself private outside the two sides of the person's cases.
    if (!person) throw Errors.notFound('人员');
    return person;
  }

  /** The person with the cases the caller may see: all of them for the township holding the household, else its own. */
  private async toDetail(user: AuthUser, person: Person, full: boolean): Promise<PersonDetail> {
    const { low, high } = scopeRange(user);
    const cases: { case_id: string; destination_code: string | null; status: string; arrival_date: string | null }[] = await this.persons.query(
      `SELECT c.id AS case_id, i.destination_code, COALESCE(i.status, o.status) AS status, i.arrival_date
           FROM migrant_case c
           LEFT JOIN LATERAL (SELECT * FROM inflow WHERE case_id = c.id ORDER BY registered_at DESC LIMIT 1) i ON true
           LEFT JOIN LATERAL (SELECT * FROM outflow WHERE case_id = c.id ORDER BY registered_at DESC LIMIT 1) o ON true
          WHERE c.person_id = $1
            AND ($4::varchar BETWEEN $2 AND $3 OR i.destination_code BETWEEN $2 AND $3
                 OR (i.status <> 'draft' AND i.household_code BETWEEN $2 AND $3) OR o.household_code BETWEEN $2 AND $3)
          ORDER BY c.opened_at DESC`,
      [person.id, low, high, person.householdCode],
    );
    const idNumber = this.cipher.decrypt(person.idCipher);
    return {
      ...toPersonRef(person, this.cipher),
      ...(full ? { idNumber, birthDate: birthDateOf(idNumber) } : {}),
      householdCode: person.householdCode,
      cases: cases.map((c) => ({ caseId: c.case_id, destinationCode: c.destination_code, status: c.status, arrivalDate: c.arrival_date })),
    };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { birthDateOf, maskIdNumber, sexOf } from '@/common/identity';
import { AuthUser, scopeRange } from '@/common/scope';
import { AuditService } from '@/modules/audit/audit.service';
import { Person } from './person.entity';

export interface PersonRef {
  id: string;
  idNumber: string;
  name: string;
  sex: Person['sex'];
  birthDate: string;
}

export function toPersonRef(person: Person): PersonRef {
  return { id: person.id, idNumber: person.idMasked, name: person.name, sex: person.sex, birthDate: person.birthDate };
}

export interface PersonDetail extends PersonRef {
  householdCode: string | null;
  cases: { caseId: string; destinationCode: string | null; status: string; arrivalDate: string | null }[];
}

/**
 * SQL condition: the person has a record on the caller's side — an inflow whose destination or household is in
 * the subtree, or an outflow whose household is. Parameters :low and :high come from scopeRange.
 */
export const PERSON_VISIBLE_SQL = `(
  EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = p.id
          AND (i.destination_code BETWEEN :low AND :high OR i.household_code BETWEEN :low AND :high))
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
   * The person with this ID number, created on first sight, and locked for the rest of the transaction so that
   * two registrations of one person are decided one after the other.
   */
  async upsertAndLock(manager: EntityManager, idNumber: string, name: string, householdCode: string | null): Promise<Person> {
    const idHash = this.cipher.hash(idNumber);
    // ON CONFLICT DO UPDATE locks the existing row; a new row is invisible to others until commit and a concurrent
    // insert of the same number waits on the unique index. Either way the person is ours until the transaction ends.
    const [row] = await manager.query(
      `INSERT INTO person (id_hash, id_cipher, id_masked, name, sex, birth_date, household_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id_hash) DO UPDATE
         SET name = EXCLUDED.name, household_code = COALESCE(EXCLUDED.household_code, person.household_code), updated_at = now()
       RETURNING id, id_hash, id_cipher, id_masked, name, sex, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, household_code, created_at, updated_at`,
      [idHash, this.cipher.encrypt(idNumber), maskIdNumber(idNumber), name, sexOf(idNumber), birthDateOf(idNumber), householdCode],
    );
    return manager.getRepository(Person).create({
      id: row.id,
      idHash: row.id_hash,
      idCipher: row.id_cipher,
      idMasked: row.id_masked,
      name: row.name,
      sex: row.sex,
      birthDate: row.birth_date,
      householdCode: row.household_code,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
  }

  /** The origin's correction of a name (a reply `corrected`); inside the caller's transaction. */
  async rename(manager: EntityManager, personId: string, name: string): Promise<void> {
    await manager.update(Person, { id: personId }, { name, updatedAt: new Date() });
  }

  async detail(user: AuthUser, id: string): Promise<PersonDetail> {
    const person = await this.visible(user, 'p.id = :id', { id });
    await this.audit.record({ actor: user, action: 'read', entity: 'person', entityId: person.id });
    return this.toDetail(person);
  }

  async lookup(user: AuthUser, idNumber: string): Promise<PersonDetail> {
    const person = await this.visible(user, 'p.id_hash = :hash', { hash: this.cipher.hash(idNumber) });
    await this.audit.record({ actor: user, action: 'lookup', entity: 'person', entityId: person.id });
    return this.toDetail(person);
  }

  private async visible(user: AuthUser, where: string, params: Record<string, unknown>): Promise<Person> {
    const person = await this.persons.createQueryBuilder('p').where(where, params).andWhere(PERSON_VISIBLE_SQL, scopeRange(user)).getOne();
    // Whether a person exists is itself private outside the two sides of the person's cases.
    if (!person) throw Errors.notFound('人员');
    return person;
  }

  private async toDetail(person: Person): Promise<PersonDetail> {
    const cases: { case_id: string; destination_code: string | null; status: string; arrival_date: string | null }[] = await this.persons.query(
      `SELECT c.id AS case_id, i.destination_code, COALESCE(i.status, o.status) AS status, i.arrival_date
           FROM migrant_case c
           LEFT JOIN LATERAL (SELECT * FROM inflow WHERE case_id = c.id ORDER BY registered_at DESC LIMIT 1) i ON true
           LEFT JOIN LATERAL (SELECT * FROM outflow WHERE case_id = c.id ORDER BY registered_at DESC LIMIT 1) o ON true
          WHERE c.person_id = $1
          ORDER BY c.opened_at DESC`,
      [person.id],
    );
    return {
      ...toPersonRef(person),
      idNumber: this.cipher.decrypt(person.idCipher),
      householdCode: person.householdCode,
      cases: cases.map((c) => ({ caseId: c.case_id, destinationCode: c.destination_code, status: c.status, arrivalDate: c.arrival_date })),
    };
  }
}

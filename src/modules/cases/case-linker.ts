import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MigrantCase } from './migrant-case.entity';

/**
 * Links the two halves of a stay. Runs inside the registering transaction with the person row locked, so two
 * registrations of one person never build two cases for one stay. (An inflow's case is found by the database function
 * `register_inflow`, in the same transaction as the registration.)
 */
@Injectable()
export class CaseLinker {
  /**
   * The case an outflow belongs to: the case of the person's submitted, active inflow stating this origin (not yet
   * linked to an outflow), or a new one. A draft is its destination's own until submitted (it then joins the outflow's
   * case), and a registration stating another household is not this origin's case.
   */
  async caseForOutflow(manager: EntityManager, personId: string, originTownshipCode: string): Promise<string> {
    const [open] = await manager.query(
      `SELECT i.case_id AS id FROM inflow i
        WHERE i.person_id = $1 AND i.status = 'active' AND i.origin_township_code = $2
          AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = i.case_id AND o.status = 'active')
        ORDER BY i.registered_at DESC LIMIT 1`,
      [personId, originTownshipCode],
    );
    if (open) return open.id as string;
    const created = await manager.save(manager.create(MigrantCase, { personId, originTownshipCode, destinationTownshipCode: null }));
    return created.id;
  }

  /** A stay ends when its inflow ends and no outflow is still open on it (the rule: close_case_if_ended, cases/sql/case.sql). */
  async closeIfEnded(manager: EntityManager, caseId: string, at: Date): Promise<void> {
    await manager.query(`SELECT close_case_if_ended($1, $2)`, [caseId, at]);
  }
}

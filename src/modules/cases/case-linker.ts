import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MigrantCase } from './migrant-case.entity';

/**
 * Links the two halves of a stay. Runs inside the registering transaction with the person row locked,
 * so two registrations of one person never build two cases for one stay.
 */
@Injectable()
export class CaseLinker {
  /** The case an inflow belongs to: the open case the origin started with an outflow (not yet met by an inflow), or a new one. */
  async caseForInflow(manager: EntityManager, personId: string, originTownshipCode: string, destinationTownshipCode: string): Promise<string> {
    const [waiting] = await manager.query(
      `SELECT c.id FROM migrant_case c
        WHERE c.person_id = $1 AND c.closed_at IS NULL
          AND EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')
          AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id)
        ORDER BY c.opened_at DESC LIMIT 1`,
      [personId],
    );
    if (waiting) {
      await manager.update(MigrantCase, { id: waiting.id }, { destinationTownshipCode });
      return waiting.id as string;
    }
    const created = await manager.save(manager.create(MigrantCase, { personId, originTownshipCode, destinationTownshipCode }));
    // The person left home once: an outflow still active on an earlier stay follows the person to this one.
    await manager.query(`UPDATE outflow SET case_id = $1 WHERE person_id = $2 AND status = 'active'`, [created.id, personId]);
    return created.id;
  }

  /** The case an outflow belongs to: the case of the person's open inflow (not yet linked to an outflow), or a new one. */
  async caseForOutflow(manager: EntityManager, personId: string, originTownshipCode: string): Promise<string> {
    const [open] = await manager.query(
      `SELECT i.case_id AS id FROM inflow i
        WHERE i.person_id = $1 AND i.status IN ('active', 'draft')
          AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = i.case_id AND o.status = 'active')
        ORDER BY (i.status = 'active') DESC, i.registered_at DESC LIMIT 1`,
      [personId],
    );
    if (open) return open.id as string;
    const created = await manager.save(manager.create(MigrantCase, { personId, originTownshipCode, destinationTownshipCode: null }));
    return created.id;
  }

  /** A stay ends when its inflow ends and no outflow is still open on it. */
  async closeIfEnded(manager: EntityManager, caseId: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE migrant_case c SET closed_at = $2
        WHERE c.id = $1 AND c.closed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id AND i.status IN ('draft', 'active'))
          AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')`,
      [caseId, at],
    );
  }
}

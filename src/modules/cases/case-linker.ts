import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MigrantCase } from './migrant-case.entity';

export interface PersonState {
  open: { id: string; caseId: string; destinationCode: string; destinationTownshipCode: string }[];
  waitingCaseId: string | null;
  hasActiveOutflow: boolean;
}

/**
 * Links the two halves of a stay. Runs inside the registering transaction with the person row locked,
 * so two registrations of one person never build two cases for one stay.
 */
@Injectable()
export class CaseLinker {
  /** What a new registration must know about the person: open inflows, a case waiting for its inflow, an active outflow. */
  async personState(manager: EntityManager, personId: string): Promise<PersonState> {
    const [row] = await manager.query(
      `SELECT
         COALESCE((SELECT json_agg(json_build_object('id', i.id, 'caseId', i.case_id, 'destinationCode', i.destination_code, 'destinationTownshipCode', i.destination_township_code))
                     FROM inflow i WHERE i.person_id = $1 AND i.status IN ('draft', 'active')), '[]') AS open,
         (SELECT c.id FROM migrant_case c
           WHERE c.person_id = $1 AND c.closed_at IS NULL
             AND EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')
             AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id)
           ORDER BY c.opened_at DESC LIMIT 1) AS waiting_case_id,
         EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = $1 AND o.status = 'active') AS has_active_outflow`,
      [personId],
    );
    return { open: row.open, waitingCaseId: row.waiting_case_id, hasActiveOutflow: row.has_active_outflow };
  }

  /** The case an inflow belongs to: the open case the origin started with an outflow (not yet met by an inflow), or a new one. */
  async caseForInflow(manager: EntityManager, state: PersonState, personId: string, originTownshipCode: string, destinationTownshipCode: string): Promise<string> {
    if (state.waitingCaseId) {
      await manager.update(MigrantCase, { id: state.waitingCaseId }, { destinationTownshipCode });
      return state.waitingCaseId;
    }
    const [created] = await manager.query(
      `INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code) VALUES ($1, $2, $3) RETURNING id`,
      [personId, originTownshipCode, destinationTownshipCode],
    );
    // The person left home once: an outflow still active on an earlier stay follows the person to this one.
    if (state.hasActiveOutflow) {
      await manager.query(`UPDATE outflow SET case_id = $1 WHERE person_id = $2 AND status = 'active'`, [created.id, personId]);
    }
    return created.id as string;
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

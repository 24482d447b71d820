import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Errors } from '@/common/errors';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { returningRows } from '@/database/sql';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { Inflow } from './inflow.entity';
import { notAMigrantReason } from './migrant-rules';

/**
 * The destination corrects a registration's 户籍地 (PATCH /api/inflows/:id householdCode, api.md): the new household is
 * checked as at registration, and a correction to another township re-routes the case — what still waits for the
 * wrong township's reply is withdrawn, and the notices a submission owes go to the right one with fresh time limits.
 */
@Injectable()
export class InflowRerouting {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  /** The rules of registration for a household: a township or village that exists, and a move that makes a migrant. */
  async checkHousehold(inflow: Inflow, householdCode: string): Promise<void> {
    await this.jurisdictions.requireLocal(householdCode, 'householdCode');
    const notMigrant = notAMigrantReason(householdCode, inflow.destinationCode);
    if (notMigrant) throw Errors.unprocessable('NOT_A_MIGRANT', notMigrant, [{ field: 'householdCode', message: notMigrant }]);
  }

  /** A household as a notice describes it to the origin: the code and its full place name (湖北省随州市广水市杨寨镇杨榨村). */
  async describeHousehold(code: string): Promise<{ code: string; name: string }> {
    return { code, name: (await this.jurisdictions.fullNames([code])).get(code) ?? '' };
  }

  /**
   * After the inflow row holds its new household and origin township (same transaction): every exchange of the case
   * addressed to the old origin that still waits for its reply (queued, delivered or failed; never one answered) turns
   * `withdrawn` at `now`; the case's origin follows unless an outflow holds it (the household township that registered
   * the person leaving, which the destination cannot correct); and a submitted registration sends its inflow notice
   * (and the verification request its certificate check or a name unlike the record's calls for) to the new origin, by
   * the same SQL as a submission (`inflow_submission_notices`), with time limits from now. Returns the ids withdrawn and
   * the ids to enqueue after the commit.
   */
  async reroute(manager: EntityManager, user: AuthUser, inflow: Inflow, oldOrigin: string, now: Date): Promise<{ withdrawn: string[]; sent: string[] }> {
    const withdrawn = await returningRows<{ id: string }>(
      manager,
      `UPDATE exchange SET status = 'withdrawn', withdrawn_at = $3
        WHERE case_id = $1 AND to_code = $2 AND needs_reply AND replied_at IS NULL AND status IN ('queued', 'delivered', 'failed')
        RETURNING id`,
      [inflow.caseId, oldOrigin, now],
    );
    await manager.query(`UPDATE migrant_case c SET origin_township_code = $2 WHERE c.id = $1 AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id)`, [
      inflow.caseId,
      inflow.originTownshipCode,
    ]);
    if (inflow.status !== 'active') return { withdrawn: withdrawn.map((w) => w.id), sent: [] };
    const [row] = await manager.query(`SELECT inflow_submission_notices($1, $2, $3, $4, $5) AS ids`, [
      inflow.id,
      user.id,
      now,
      this.config.replyTimeLimit.text,
      this.config.replyTimeLimitUrgent.text,
    ]);
    return { withdrawn: withdrawn.map((w) => w.id), sent: row.ids as string[] };
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { levelOf, ROOT_CODE, subtreeRange } from '@/common/division-code';
import { Poller } from '@/common/poller';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ReadReplica } from '@/database/read-replica';
import { JurisdictionRef, toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { FLOW_INDICATORS } from '@/modules/rates/rate-math';
import { FLOW_SOURCES, stillCounted } from '@/modules/rates/rate-queries';
import { RateRow, RatesReport, RatesService } from '@/modules/rates/rates.service';
import { assessmentMonth, AssessmentPeriod, lastClosedMonth, monthOfDay, monthsBetween } from './assessment-period';
import { rank, Ranks } from './assessment-rank';
import { AssessmentSeal } from './assessment-seal';
import { startOfShanghaiDay, todayInShanghai } from '@/common/time';

/** The levels whose months are frozen (assessment.md): those that have places below them to rank. */
export const ASSESSED_LEVELS = ['country', 'province', 'city', 'county'];
/** The townships with most overdue items a report lists. */
const OVERDUE_TOWNSHIPS = 10;
/** Rows written per INSERT when a whole month is frozen. */
const INSERT_BATCH = 200;

export interface FrozenChild extends RateRow {
  /** Ranks among the parent's children; null for the 本级 row (items held at the parent's own code), which is no child. */
  ranks: Ranks | null;
}

export interface OverdueTownship {
  jurisdiction: JurisdictionRef;
  submission: number;
  feedback: number;
  total: number;
}

/** What a frozen month holds, exactly as hashed and signed. */
export interface FrozenMonth extends Omit<RatesReport, 'children'> {
  month: string;
  frozenAt: string;
  frozenLate: boolean;
  children: FrozenChild[];
  overdueTownships: OverdueTownship[];
}

export interface AssessmentRow {
  id: string;
  jurisdiction_code: string;
  month: string;
  frozen_at: Date;
  frozen_late: boolean;
  body: FrozenMonth;
  hash: string;
  signature: string;
  confirmed_at: Date | null;
  confirmed_by: string | null;
  confirm_note: string | null;
}

const rowIsEmpty = (r: RateRow) =>
  [r.submission, r.feedback].every((f) => f.onTime + f.late + f.overdue + f.pending === 0) && r.effectiveContact.denominator === 0;

/**
 * Freezes assessment months (assessment.md "Freezing"). A month's figures are GET /api/rates with the month's
 * from, to and asOf (RatesService.reportAt: the same code), plus the children's ranks and the ten townships with most
 * overdue items, sealed and stored once: `INSERT … ON CONFLICT DO NOTHING` on (jurisdiction, month), and a trigger
 * refuses any later change. A month is frozen for every assessed jurisdiction by the job at its cut-off (or when the
 * service comes back), or for one jurisdiction when asked for before the job has run; a month that closed before
 * the service began freezing (assessment_epoch) is frozen when first asked for and marked frozenLate.
 */
@Injectable()
export class AssessmentFreezer {
  private readonly logger = new Logger('Assessments');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rates: RatesService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly replica: ReadReplica,
    private readonly seal: AssessmentSeal,
  ) {}

  period(month: string): AssessmentPeriod {
    return assessmentMonth(month, this.config.assessmentCutoffDay);
  }

  async epoch(): Promise<Date> {
    const [row] = await this.db.query(`SELECT since FROM assessment_epoch`);
    return row.since as Date;
  }

  async find(code: string, month: string): Promise<AssessmentRow | null> {
    const [row] = await this.db.query(`SELECT * FROM assessment WHERE jurisdiction_code = $1 AND month = $2`, [code, month]);
    return (row as AssessmentRow | undefined) ?? null;
  }

  /** The stored month of one jurisdiction, frozen now if it is closed and not yet stored. Null before its cut-off. */
  async ensure(jurisdiction: JurisdictionRef, month: string, now = new Date()): Promise<AssessmentRow | null> {
    const found = await this.find(jurisdiction.code, month);
    if (found) return found;
    const period = this.period(month);
    if (period.asOf > now) return null;
    const late = period.asOf < (await this.epoch());
    const report = await this.rates.reportAt(jurisdiction, period, period.asOf);
    const overdue = await this.overdueByTownship(jurisdiction.code, period);
    await this.store(this.db.manager, [this.frozen(report, month, late, overdue)]);
    return this.find(jurisdiction.code, month);
  }

  /**
   * Freezes one month for every assessed jurisdiction, top down: a place whose row in its parent's report is all
   * zeros holds nothing, so its own report is known without reading. Answers how many months were stored.
   */
  async freezeAll(month: string, manager: EntityManager = this.db.manager): Promise<number> {
    const period = this.period(month);
    const late = period.asOf < (await this.epoch());
    const overdue = await this.overdueByTownship(ROOT_CODE, period);
    const root = toJurisdictionRef((await this.jurisdictions.findKnown(ROOT_CODE)) as NonNullable<Awaited<ReturnType<JurisdictionsService['findKnown']>>>);
    const months: FrozenMonth[] = [];
    let level: { jurisdiction: JurisdictionRef; empty: boolean }[] = [{ jurisdiction: root, empty: false }];
    while (level.length) {
      const next: typeof level = [];
      for (const { jurisdiction, empty } of level) {
        const report = await this.rates.reportAt(jurisdiction, period, period.asOf, { empty });
        months.push(this.frozen(report, month, late, overdue));
        for (const child of report.children) {
          if (!child.self && ASSESSED_LEVELS.includes(child.jurisdiction.level)) next.push({ jurisdiction: child.jurisdiction, empty: rowIsEmpty(child) });
        }
      }
      level = next;
    }
    return this.store(manager, months);
  }

  /** The month frozen by the job: at its cut-off, or at the first look after it (a service that was down catches up). */
  async runIfDue(now = new Date()): Promise<string[]> {
    const since = await this.epoch();
    const last = lastClosedMonth(now, this.config.assessmentCutoffDay);
    // The first month the job owes is the one whose cut-off came first after the epoch.
    const first = monthOfDay(todayInShanghai(since), this.config.assessmentCutoffDay);
    const owed = monthsBetween(first, last).filter((m) => this.period(m).asOf >= since);
    if (owed.length === 0) return [];
    // One look a minute in every worker: a single read finds the months already frozen.
    const ran = new Set((await this.db.query(`SELECT month FROM assessment_run WHERE month = ANY($1)`, [owed])).map((r: { month: string }) => r.month));
    const done: string[] = [];
    for (const month of owed.filter((m) => !ran.has(m))) {
      const frozeIt = await this.db.transaction(async (manager) => {
        // One worker freezes a month; another looking meanwhile finds the run row next time.
        const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('assessment_run'), hashtext($1)) AS locked`, [month]);
        if (!locked) return false;
        const [already] = await manager.query(`SELECT 1 FROM assessment_run WHERE month = $1`, [month]);
        if (already) return false;
        const started = Date.now();
        const frozen = await this.freezeAll(month, manager);
        const ms = Date.now() - started;
        await manager.query(`INSERT INTO assessment_run (month, frozen, ms) VALUES ($1, $2, $3)`, [month, frozen, ms]);
        this.logger.log({ month, frozen, ms }, 'assessment month frozen');
        return true;
      });
      if (frozeIt) done.push(month);
    }
    return done;
  }

  private frozen(report: RatesReport, month: string, frozenLate: boolean, overdue: OverdueTownship[]): FrozenMonth {
    const children = report.children.filter((c) => !c.self);
    const ranks = rank(children);
    const [low, high] = subtreeRange(report.jurisdiction.code);
    return {
      ...report,
      month,
      frozenAt: new Date().toISOString(),
      frozenLate,
      children: report.children.map((c) => ({ ...c, ranks: c.self ? null : ranks[children.indexOf(c)] })),
      overdueTownships: overdue.filter((t) => t.jurisdiction.code >= low && t.jurisdiction.code <= high).slice(0, OVERDUE_TOWNSHIPS),
    };
  }

  /** Stores sealed months; a month already stored stays as it was. Answers how many were new. */
  private async store(manager: EntityManager, months: FrozenMonth[]): Promise<number> {
    let stored = 0;
    for (let i = 0; i < months.length; i += INSERT_BATCH) {
      const batch = months.slice(i, i + INSERT_BATCH).map((body) => ({ body, ...this.seal.seal(body) }));
      const rows = await manager.query(
        `INSERT INTO assessment (jurisdiction_code, month, frozen_at, frozen_late, body, hash, signature)
         SELECT body->'jurisdiction'->>'code', body->>'month', (body->>'frozenAt')::timestamptz, (body->>'frozenLate')::boolean, body, hash, signature
           FROM unnest($1::jsonb[], $2::text[], $3::text[]) AS x(body, hash, signature)
         ON CONFLICT (jurisdiction_code, month) DO NOTHING
         RETURNING 1`,
        [batch.map((b) => JSON.stringify(b.body)), batch.map((b) => b.hash), batch.map((b) => b.signature)],
      );
      stored += rows.length;
    }
    return stored;
  }

  /**
   * Overdue items at the cut-off per township in a subtree, most first: 信息提交 owed by a destination's township and
   * 反馈 owed by an origin township, each exactly as rates.md counts `overdue` (the same sources as the rates).
   */
  private async overdueByTownship(code: string, period: AssessmentPeriod): Promise<OverdueTownship[]> {
    const [low, high] = subtreeRange(code);
    const branches = FLOW_INDICATORS.map((indicator) => {
      const s = FLOW_SOURCES[indicator];
      return `SELECT left(x.${s.code}, 9) AS township, '${s.key}' AS indicator
                FROM ${s.table} x
               WHERE ${s.filter ? `x.${s.filter}` : 'true'} AND x.${s.code} BETWEEN $1 AND $2 AND x.${s.start} >= $3 AND x.${s.start} < $4
                 AND (x.${s.done} IS NULL OR x.${s.done} > $4) AND x.${s.due} <= $4 AND ${stillCounted(indicator, '$4')}`;
    });
    const rows: { township: string; s: number; f: number }[] = await this.replica.read((db) =>
      db.query(
        `SELECT township || '000' AS township, count(*) FILTER (WHERE indicator = 's')::int AS s, count(*) FILTER (WHERE indicator = 'f')::int AS f
           FROM (${branches.join(' UNION ALL ')}) z
          GROUP BY 1 ORDER BY count(*) DESC, 1`,
        [low, high, startOfShanghaiDay(period.from), period.asOf],
      ),
    );
    const townships = rows.filter((r) => levelOf(r.township) === 'township');
    const found = await this.jurisdictions.fullNames(townships.map((r) => r.township));
    return townships.map((r) => ({
      jurisdiction: { code: r.township, name: found.get(r.township) ?? r.township, level: 'township' as const },
      submission: r.s,
      feedback: r.f,
      total: r.s + r.f,
    }));
  }
}

/** Looks every minute (DIGEST_CHECK_EVERY) whether a month has closed and is not yet frozen; in the worker processes. */
@Injectable()
export class AssessmentTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly poller: Poller;

  constructor(freezer: AssessmentFreezer, @Inject(APP_CONFIG) config: AppConfig) {
    this.poller = new Poller('Assessments', config.digestCheckMs, () => freezer.runIfDue());
  }

  onApplicationBootstrap(): void {
    this.poller.start();
    void this.poller.runOnce();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }
}

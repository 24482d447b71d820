import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { subtreePrefix } from '@/common/division-code';
import { Poller } from '@/common/poller';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { digestDueSoon, digestOverdue, escalation } from './messages';
import { NotificationDraft, NotificationsService } from './notifications.service';

const ZONE = 'Asia/Shanghai';
/** 即将到期: due within this many days (the same as the inbox's tab and the home page's count). */
export const DUE_SOON_DAYS = 3;

interface UserDue {
  user_id: string;
  overdue: number;
  first_overdue: Date | null;
  soon: number;
  first_soon: Date | null;
}

/**
 * The daily digest and the escalation (reminders.md). On a working day, once DIGEST_TIME (Beijing) has passed, the
 * first worker to look writes the day's notifications and a `digest_run` row in one transaction; every later look
 * that day finds the row and does nothing. So each clerk gets one `overdue` and one `due_soon` a day at most, whatever
 * happens: two workers (an advisory lock lets one run; the unique (user, key) would stop a double anyway), a worker
 * killed mid-run (nothing committed; the next look runs it whole), Redis emptied (nothing here lives in Redis), the
 * service down at DIGEST_TIME (the first look after it comes back, the same day; never a past day's).
 */
@Injectable()
export class DailyDigest {
  private readonly logger = new Logger('DailyDigest');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationsService,
    private readonly jurisdictions: JurisdictionsService,
  ) {}

  /** Today's Beijing date when the digest is due now (a working day, past DIGEST_TIME); otherwise null. */
  dueDay(now = new Date()): string | null {
    if (this.config.digestMinute === null) return null;
    const local = DateTime.fromJSDate(now, { zone: ZONE });
    const day = local.toISODate() as string;
    if (!this.config.calendar.isWorkingDay(day)) return null;
    return local.hour * 60 + local.minute >= this.config.digestMinute ? day : null;
  }

  /** Runs today's digest and escalation if they are due and not yet run; answers the notifications written. */
  async runIfDue(now = new Date()): Promise<number> {
    const day = this.dueDay(now);
    if (!day) return 0;
    return (await this.run(day, 'digest', (m) => this.digest(m, day, now))) + (await this.run(day, 'escalation', (m) => this.escalate(m, day, now)));
  }

  private async run(day: string, kind: 'digest' | 'escalation', write: (m: EntityManager) => Promise<string[]>): Promise<number> {
    return this.db.transaction(async (manager) => {
      // One run at a time per day and kind; another worker looking meanwhile goes on and finds the row next time.
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('digest_run'), hashtext($1 || $2)) AS locked`, [day, kind]);
      if (!locked) return 0;
      const [done] = await manager.query(`SELECT 1 FROM digest_run WHERE day = $1 AND kind = $2`, [day, kind]);
      if (done) return 0;
      // Timed and its statements counted, kept with the run (an operator's "how long did this morning's take").
      const started = Date.now();
      let queries = 0;
      const counted = new Proxy(manager, {
        get: (target, key, receiver) =>
          key === 'query' ? (...args: Parameters<EntityManager['query']>) => (queries++, target.query(...args)) : Reflect.get(target, key, receiver),
      });
      const written = await write(counted);
      const ms = Date.now() - started;
      await manager.query(`INSERT INTO digest_run (day, kind, notified, ms, queries) VALUES ($1, $2, $3, $4, $5)`, [day, kind, written.length, ms, queries]);
      this.logger.log({ day, kind, notified: written.length, ms, queries }, 'daily run done');
      return written.length;
    });
  }

  /** Every active clerk whose inbox holds replies overdue or due within 3 days: one notification of each. */
  private async digest(manager: EntityManager, day: string, now: Date): Promise<string[]> {
    const users: { id: string; jurisdiction_code: string }[] = await manager.query(
      `SELECT id, jurisdiction_code FROM app_user WHERE active AND role = 'staff'`,
    );
    if (users.length === 0) return [];
    // The replies awaited, counted once per unit and each level above it (a clerk's inbox is her subtree, as the
    // inbox's own query); each clerk then takes the counts of her own prefix.
    const due: UserDue[] = await manager.query(
      `WITH awaited AS (
         SELECT e.to_unit_code AS unit, e.due_at
           FROM exchange e
          WHERE e.needs_reply AND e.replied_at IS NULL AND e.delivered_at IS NOT NULL AND e.status = 'delivered'
            AND e.due_at <= $3::timestamptz + make_interval(days => $4)),
       by_prefix AS (
         SELECT k.prefix,
                count(*) FILTER (WHERE a.due_at <= $3) AS overdue, min(a.due_at) FILTER (WHERE a.due_at <= $3) AS first_overdue,
                count(*) FILTER (WHERE a.due_at > $3) AS soon, min(a.due_at) FILTER (WHERE a.due_at > $3) AS first_soon
           FROM awaited a
           CROSS JOIN LATERAL (VALUES (left(a.unit, 2)), (left(a.unit, 4)), (left(a.unit, 6)), (left(a.unit, 9)), (a.unit)) AS k(prefix)
          GROUP BY k.prefix)
       SELECT u.user_id, b.overdue::int, b.first_overdue, b.soon::int, b.first_soon
         FROM unnest($1::uuid[], $2::text[]) AS u(user_id, prefix)
         JOIN by_prefix b ON b.prefix = u.prefix`,
      [users.map((u) => u.id), users.map((u) => subtreePrefix(u.jurisdiction_code)), now, DUE_SOON_DAYS],
    );
    const drafts: { userId: string; draft: NotificationDraft }[] = due.flatMap((d) => [
      ...(d.overdue > 0 ? [{ userId: d.user_id, draft: digestOverdue(day, d.overdue, d.first_overdue as Date) }] : []),
      ...(d.soon > 0 ? [{ userId: d.user_id, draft: digestDueSoon(day, d.soon, d.first_soon as Date, DUE_SOON_DAYS) }] : []),
    ]);
    return this.notifications.toEach(manager, drafts);
  }

  /** Each county's active supervisors: its townships' replies overdue longer than ESCALATE_AFTER, per township. */
  private async escalate(manager: EntityManager, day: string, now: Date): Promise<string[]> {
    const overdue: { township: string; count: number }[] = await manager.query(
      `SELECT e.to_code AS township, count(*)::int AS count
         FROM exchange e
        WHERE e.needs_reply AND e.replied_at IS NULL AND e.delivered_at IS NOT NULL AND e.status = 'delivered'
          AND e.due_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0)
        GROUP BY e.to_code`,
      [now, this.config.escalateAfterMs],
    );
    if (overdue.length === 0) return [];
    const countyOf = (township: string) => `${township.slice(0, 6)}000000`;
    const counties = [...new Set(overdue.map((o) => countyOf(o.township)))];
    const supervisors: { id: string; jurisdiction_code: string }[] = await manager.query(
      `SELECT id, jurisdiction_code FROM app_user WHERE active AND role = 'supervisor' AND jurisdiction_code = ANY($1)`,
      [counties],
    );
    if (supervisors.length === 0) return [];
    // Inside the county's own message a township is named as the county knows it (杨寨镇).
    const names = new Map(
      await Promise.all(overdue.map(async (o) => [o.township, (await this.jurisdictions.findKnown(o.township))?.name ?? o.township] as const)),
    );
    const afterDays = Math.round(this.config.escalateAfterMs / 86_400_000);
    const drafts = supervisors.map((s) => {
      const townships = overdue
        .filter((o) => countyOf(o.township) === s.jurisdiction_code)
        .sort((a, b) => b.count - a.count)
        .map((o) => ({ name: names.get(o.township) as string, count: o.count }));
      return { userId: s.id, draft: escalation(day, s.jurisdiction_code, afterDays, townships) };
    });
    return this.notifications.toEach(manager, drafts);
  }
}

/** Looks every DIGEST_CHECK_EVERY (a minute) in each worker process, and once as it starts. */
@Injectable()
export class DigestTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly poller: Poller;

  constructor(digest: DailyDigest, @Inject(APP_CONFIG) config: AppConfig) {
    // The database away for a moment: the next look runs it (Poller logs the failure).
    this.poller = new Poller('DailyDigest', config.digestCheckMs, () => digest.runIfDue());
  }

  onApplicationBootstrap(): void {
    this.poller.start();
    void this.poller.runOnce();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }
}

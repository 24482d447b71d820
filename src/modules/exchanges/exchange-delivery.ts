import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { allOrEach, batcher } from '@/common/batch';
import { returningRows } from '@/database/sql';
import { JobSpec } from '@/common/job-producer';
import { DeadlineJob, EXCHANGE_DEADLINE_QUEUE } from '@/queues/queues';
import { ExchangeOutbox } from './exchange-outbox';

/** Jobs taken together: those that arrive within BATCH_WINDOW_MS of the first, up to BATCH_MAX, share one statement. */
const BATCH_WINDOW_MS = 2;
const BATCH_MAX = 200;

/** The deadline job of exchanges that fall due at the same instant (delivered by one statement, with the same time limit). */
function deadlineJob(exchangeIds: string[], dueAt: number): JobSpec<DeadlineJob> {
  const delay = Math.max(0, dueAt - Date.now());
  return exchangeIds.length === 1
    ? { name: 'deadline', data: { exchangeId: exchangeIds[0] }, opts: { jobId: `deadline-${exchangeIds[0]}`, delay } }
    : { name: 'deadlines', data: { exchangeIds }, opts: { jobId: `deadlines-${exchangeIds[0]}-${exchangeIds.length}`, delay } };
}

/**
 * Delivers exchanges into the addressees' inboxes, many at a time: the deliveries asked for side by side, or one job's
 * many (an import batch's), are marked delivered by one UPDATE, and one deadline job is added for those that fall due
 * at the same instant. Idempotent: only a queued row changes, so a job that runs twice (a worker killed after the
 * commit, a relay that enqueued again) delivers once. When the statement for a batch fails, each row is tried alone,
 * so one bad row fails only its own job. The due instant is fixed here: delivery + the time limit recorded when the
 * message was sent.
 */
@Injectable()
export class ExchangeDelivery {
  private readonly logger = new Logger('ExchangeDelivery');
  private readonly deliveries = batcher<string, true>((ids) => this.deliverAll(ids), BATCH_WINDOW_MS, BATCH_MAX);
  private readonly overdueNotes = batcher<string, true>(
    (ids) =>
      allOrEach(
        ids,
        (all) => this.noteAllOverdue(all),
        async (id) => (await this.noteAllOverdue([id]))[0],
      ),
    BATCH_WINDOW_MS,
    BATCH_MAX,
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(EXCHANGE_DEADLINE_QUEUE) private readonly deadlines: Queue<DeadlineJob>,
    private readonly outbox: ExchangeOutbox,
  ) {}

  /** Delivers one exchange, in a batch with the others asked for at the same moment; throws this exchange's failure. */
  deliver(exchangeId: string): Promise<true> {
    return this.deliveries.load(exchangeId);
  }

  /**
   * The job of exchanges written together: one statement delivers them all. A row that fails alone is handed to a job
   * of its own (its retries, then a dead letter); when every row fails (the database or Redis is down) the job throws
   * and BullMQ retries it whole, and rows it never delivers stay queued for the relay.
   */
  async deliverMany(exchangeIds: string[]): Promise<void> {
    const results = await this.deliverAll(exchangeIds);
    const failed = exchangeIds.filter((_, i) => results[i] instanceof Error);
    if (failed.length === 0) return;
    if (failed.length === exchangeIds.length) throw results[0] as Error;
    this.logger.warn({ failed: failed.length, of: exchangeIds.length }, 'exchanges of a batch handed to jobs of their own');
    if (!(await this.outbox.enqueue(failed))) throw new Error('Redis unavailable: the rows stay queued for the relay');
  }

  /** At the due instant of exchanges delivered together: notes those still unanswered overdue, by one statement. */
  async noteManyOverdue(exchangeIds: string[]): Promise<void> {
    await this.noteAllOverdue(exchangeIds);
  }

  /** At the due instant: notes that an unanswered exchange went overdue (for reminders); overdue itself is derived from dueAt. */
  noteOverdue(exchangeId: string): Promise<true> {
    return this.overdueNotes.load(exchangeId);
  }

  /** The attempt count and the error on the row; after the last attempt the exchange is a dead letter (failed). */
  async recordFailure(exchangeId: string, error: unknown, final: boolean, attempts: number): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    try {
      await this.db.query(
        `UPDATE exchange SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END
          WHERE id = $1 AND status = 'queued'`,
        [exchangeId, message, final],
      );
    } catch {
      // The database itself is down: the row stays queued and the relay enqueues it again later.
    }
    if (final) this.logger.warn({ exchangeId, attempts }, 'delivery failed for good');
  }

  private async deliverAll(ids: readonly string[]): Promise<(true | Error)[]> {
    const marked = await allOrEach(
      ids,
      (all) => this.markDelivered(all),
      async (id) => (await this.markDelivered([id]))[0],
    );
    const dueTogether = new Map<number, string[]>();
    ids.forEach((id, i) => {
      const dueAt = marked[i];
      if (!(dueAt instanceof Date)) return;
      const group = dueTogether.get(dueAt.getTime());
      if (group) group.push(id);
      else dueTogether.set(dueAt.getTime(), [id]);
    });
    const owed = [...dueTogether].map(([dueAt, group]) => deadlineJob(group, dueAt));
    let deadlineError: Error | null = null;
    if (owed.length > 0) {
      // Retried on failure: the retry finds the rows delivered and adds their deadline jobs then (same jobIds).
      deadlineError = await this.deadlines.addBulk(owed).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
    }
    return marked.map((m) => (m instanceof Error ? m : m instanceof Date && deadlineError ? deadlineError : true));
  }

  /**
   * Marks the queued rows delivered; answers, for each id in order, when a reply to it is due (null when none is owed
   * or it was delivered and noted before). A row delivered earlier whose deadline has not been noted answers its due
   * instant again, so a job retried after its deadline job failed to be added adds it now.
   */
  private async markDelivered(ids: readonly string[]): Promise<(Date | null)[]> {
    const rows = await returningRows<{ id: string; due_at: Date | null }>(
      this.db,
      `WITH delivered AS (
         UPDATE exchange
            SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL,
                due_at = CASE WHEN needs_reply THEN time_limit_end(now(), reply_limit) END
          WHERE id = ANY($1::uuid[]) AND status = 'queued'
          RETURNING id, due_at)
       SELECT id, due_at FROM delivered
       UNION ALL
       SELECT id, due_at FROM exchange
        WHERE id = ANY($1::uuid[]) AND status = 'delivered' AND due_at IS NOT NULL AND overdue_noted_at IS NULL`,
      [ids],
    );
    const dueAt = new Map(rows.map((r) => [r.id, r.due_at]));
    return ids.map((id) => dueAt.get(id) ?? null);
  }

  private async noteAllOverdue(ids: readonly string[]): Promise<true[]> {
    await this.db.query(
      `UPDATE exchange SET overdue_noted_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'delivered' AND due_at <= now() AND overdue_noted_at IS NULL`,
      [ids],
    );
    return ids.map(() => true as const);
  }
}

import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { DeadlineJob, DeliveryJob, EXCHANGE_DEADLINE_QUEUE, EXCHANGE_DELIVERY_QUEUE } from '@/common/queues';
import { logRedisErrors } from '@/common/redis-connection';
import { returningRows } from '@/database/sql';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

/**
 * Applies the configured lock to a worker created with autorun off, then starts it. Its connection waits for Redis
 * through an outage and reconnects by itself; the errors it reports meanwhile are logged, not thrown.
 */
export function startWorker(host: WorkerHost, config: AppConfig): void {
  Object.assign(host.worker.opts, { lockDuration: config.workerLockMs, stalledInterval: config.workerLockMs });
  logRedisErrors(host.worker, `Worker:${host.worker.name}`);
  void host.worker.run();
}

/**
 * Delivers an exchange into the addressee's inbox. Idempotent: only a queued row changes, so a job that runs twice
 * (a worker killed after the commit, a relay that enqueued again) delivers once. The due instant is fixed here:
 * delivery + the time limit recorded when the message was sent.
 */
@Processor(EXCHANGE_DELIVERY_QUEUE, { autorun: false, concurrency: 16 })
export class ExchangeDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExchangeDelivery');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(EXCHANGE_DEADLINE_QUEUE) private readonly deadlines: Queue<DeadlineJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this, this.config);
  }

  async process(job: Job<DeliveryJob>): Promise<void> {
    const { exchangeId } = job.data;
    let delivered: { due_at: Date | null }[];
    try {
      delivered = await returningRows(
        this.db,
        `UPDATE exchange
            SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL,
                due_at = CASE WHEN needs_reply THEN now() + reply_limit_ms * interval '1 millisecond' END
          WHERE id = $1 AND status = 'queued'
          RETURNING due_at`,
        [exchangeId],
      );
    } catch (error) {
      await this.recordFailure(job, error);
      throw error;
    }
    const dueAt = delivered[0]?.due_at;
    if (dueAt) {
      await this.deadlines.add('deadline', { exchangeId }, { jobId: `deadline-${exchangeId}`, delay: Math.max(0, dueAt.getTime() - Date.now()) });
    }
  }

  /** The attempt count and the error on the row; after the last attempt the exchange is a dead letter (failed). */
  private async recordFailure(job: Job<DeliveryJob>, error: unknown): Promise<void> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    try {
      await this.db.query(
        `UPDATE exchange SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END
          WHERE id = $1 AND status = 'queued'`,
        [job.data.exchangeId, message, final],
      );
    } catch {
      // The database itself is down: the row stays queued and the relay enqueues it again later.
    }
    if (final) this.logger.warn({ exchangeId: job.data.exchangeId, attempts: job.attemptsMade + 1 }, 'delivery failed for good');
  }
}

/** At the due instant: notes that an unanswered exchange went overdue (for reminders). Overdue itself is derived from dueAt. */
@Processor(EXCHANGE_DEADLINE_QUEUE, { autorun: false, concurrency: 4 })
export class ExchangeDeadlineProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this, this.config);
  }

  async process(job: Job<DeadlineJob>): Promise<void> {
    await this.db.query(
      `UPDATE exchange SET overdue_noted_at = now()
        WHERE id = $1 AND status = 'delivered' AND due_at <= now() AND overdue_noted_at IS NULL`,
      [job.data.exchangeId],
    );
  }
}

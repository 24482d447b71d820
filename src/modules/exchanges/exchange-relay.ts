import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { safeError } from '@/common/http-error.filter';
import { DeliveryJob, EXCHANGE_DELIVERY_QUEUE } from '@/common/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

const BATCH = 500;
const INTERVAL_MS = 1_000;

/**
 * Moves queued exchanges from PostgreSQL to BullMQ: rows still queued RELAY_STALE after they were (or should have been)
 * enqueued — the process died after its commit, Redis was down, or Redis lost the job — and rows a retry requeued. The jobId is the exchange id, so enqueueing
 * twice is harmless, and the delivery itself is idempotent.
 */
@Injectable()
export class ExchangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExchangeRelay');
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(EXCHANGE_DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let moved = 0;
    try {
      for (;;) {
        const count = await this.db.transaction(async (manager) => {
          const rows: { id: string }[] = await manager.query(
            `SELECT id FROM exchange
              WHERE status = 'queued' AND (enqueued_at IS NULL OR enqueued_at < now() - $1 * interval '1 millisecond')
              ORDER BY sent_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
            [this.config.relayStaleMs],
          );
          if (rows.length === 0) return 0;
          // A job that failed in Redis while the database was down would block a new job with the same id.
          for (const { id } of rows) {
            const job = await this.queue.getJob(id);
            if (job && (await job.isFailed())) await job.remove();
          }
          await this.queue.addBulk(rows.map(({ id }) => ({ name: 'deliver', data: { exchangeId: id }, opts: { jobId: id } })));
          await manager.query(`UPDATE exchange SET enqueued_at = now() WHERE id = ANY($1)`, [rows.map((r) => r.id)]);
          return rows.length;
        });
        moved += count;
        if (count < BATCH) break;
      }
      if (moved > 0) this.logger.log({ moved }, 'relayed queued exchanges');
    } catch (error) {
      this.logger.warn({ err: safeError(error) }, 'relay pass failed; will try again');
    } finally {
      this.running = false;
    }
    return moved;
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobProducer } from '@/common/job-producer';
import { Poller } from '@/common/poller';
import { EXCHANGE_DELIVERY_QUEUE } from '@/queues/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { deliveryJob } from './exchange-outbox';

const BATCH = 500;
const INTERVAL_MS = 1_000;

/**
 * Moves queued exchanges from PostgreSQL to BullMQ: rows still queued RELAY_STALE after they were (or should have been)
 * enqueued — the process died after its commit, Redis was down, or Redis lost the job — and rows a retry requeued.
 * The jobId is the exchange id, so enqueueing twice is harmless, and the delivery itself is idempotent. While Redis is
 * down a pass gives up at once (the producer fails fast) and holds no row lock; the first pass after it is back sends
 * everything owed.
 */
@Injectable()
export class ExchangeRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExchangeRelay');
  private readonly poller = new Poller('ExchangeRelay', INTERVAL_MS, () => this.relay());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poller.stop();
  }

  private async relay(): Promise<void> {
    if (!this.producer.ready) return;
    let moved = 0;
    for (;;) {
      const count = await this.db.transaction(async (manager) => {
        const rows: { id: string }[] = await manager.query(
          `SELECT id FROM exchange
            WHERE status = 'queued' AND (enqueued_at IS NULL OR enqueued_at < now() - $1 * interval '1 millisecond')
            ORDER BY sent_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [this.config.relayStaleMs],
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        // A job that failed in Redis while the database was down would block a new job with the same id.
        await this.producer.removeFailed(EXCHANGE_DELIVERY_QUEUE, ids);
        if (!(await this.producer.add(EXCHANGE_DELIVERY_QUEUE, ids.map(deliveryJob)))) throw new Error('Redis unavailable; rows stay queued');
        await manager.query(`UPDATE exchange SET enqueued_at = now() WHERE id = ANY($1)`, [ids]);
        return rows.length;
      });
      moved += count;
      if (count < BATCH) break;
    }
    if (moved > 0) this.logger.log({ moved }, 'relayed queued exchanges');
  }
}

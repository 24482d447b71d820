import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { DeadlineJob, DeliveryJob, EXCHANGE_DEADLINE_QUEUE, EXCHANGE_DELIVERY_QUEUE } from '@/queues/queues';
import { startWorker } from '@/queues/start-worker';
import { ExchangeDelivery } from './exchange-delivery';

/**
 * Delivery jobs, 64 side by side so that ExchangeDelivery can batch them; a failure is recorded on the row. A job of
 * many (an import batch's) hands the rows that fail to jobs of their own.
 */
@Processor(EXCHANGE_DELIVERY_QUEUE, { autorun: false, concurrency: 64 })
export class ExchangeDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly delivery: ExchangeDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this, this.config);
  }

  async process(job: Job<DeliveryJob>): Promise<void> {
    if ('exchangeIds' in job.data) return this.delivery.deliverMany(job.data.exchangeIds);
    try {
      await this.delivery.deliver(job.data.exchangeId);
    } catch (error) {
      const attempts = job.attemptsMade + 1;
      await this.delivery.recordFailure(job.data.exchangeId, error, attempts >= (job.opts.attempts ?? 1), attempts);
      throw error;
    }
  }
}

/** Deadline jobs: at the due instant, the overdue is noted (batched like deliveries). */
@Processor(EXCHANGE_DEADLINE_QUEUE, { autorun: false, concurrency: 64 })
export class ExchangeDeadlineProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly delivery: ExchangeDelivery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this, this.config);
  }

  async process(job: Job<DeadlineJob>): Promise<void> {
    if ('exchangeIds' in job.data) await this.delivery.noteManyOverdue(job.data.exchangeIds);
    else await this.delivery.noteOverdue(job.data.exchangeId);
  }
}

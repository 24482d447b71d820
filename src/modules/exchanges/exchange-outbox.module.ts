import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { EXCHANGE_DEADLINE_QUEUE, EXCHANGE_DELIVERY_QUEUE } from '@/common/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ExchangeOutbox } from './exchange-outbox';

// Default job options, set once: retries with exponential backoff, bounded retention. Completed jobs are kept a day
// so that a relay enqueueing the same exchange again is recognised as a duplicate by its jobId.
const RETENTION = { removeOnComplete: { age: 24 * 3600, count: 100_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

@Module({
  imports: [
    BullModule.registerQueueAsync(
      {
        name: EXCHANGE_DELIVERY_QUEUE,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          defaultJobOptions: { attempts: config.deliveryAttempts, backoff: { type: 'exponential', delay: config.deliveryBackoffMs }, ...RETENTION },
        }),
      },
      {
        name: EXCHANGE_DEADLINE_QUEUE,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: config.deliveryBackoffMs }, ...RETENTION },
        }),
      },
    ),
  ],
  providers: [ExchangeOutbox],
  exports: [ExchangeOutbox, BullModule],
})
export class ExchangeOutboxModule {}

import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { EXCHANGE_DEADLINE_QUEUE, EXCHANGE_DELIVERY_QUEUE, jobDefaults } from '@/common/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ExchangeOutbox } from './exchange-outbox';

@Module({
  imports: [
    BullModule.registerQueueAsync(
      {
        name: EXCHANGE_DELIVERY_QUEUE,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          defaultJobOptions: jobDefaults(config)[EXCHANGE_DELIVERY_QUEUE],
        }),
      },
      {
        name: EXCHANGE_DEADLINE_QUEUE,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({
          defaultJobOptions: jobDefaults(config)[EXCHANGE_DEADLINE_QUEUE],
        }),
      },
    ),
  ],
  providers: [ExchangeOutbox],
  exports: [ExchangeOutbox, BullModule],
})
export class ExchangeOutboxModule {}

import { Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { jobDefaults, QUEUE_NAMES } from './queues';

/** Every queue registered once, with its default attempts, backoff and retention (queues.ts); for any module to inject. */
@Global()
@Module({
  imports: [
    BullModule.registerQueueAsync(
      ...QUEUE_NAMES.map((name) => ({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => ({ defaultJobOptions: jobDefaults(config)[name] }),
      })),
    ),
  ],
  exports: [BullModule],
})
export class QueuesModule {}

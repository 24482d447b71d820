import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { INFLOW_IMPORT_QUEUE, jobDefaults } from '@/common/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ExchangeOutboxModule } from '@/modules/exchanges/exchange-outbox.module';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { ImportProcessor } from './import.processor';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

const queue = BullModule.registerQueueAsync({
  name: INFLOW_IMPORT_QUEUE,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => ({ defaultJobOptions: jobDefaults(config)[INFLOW_IMPORT_QUEUE] }),
});

@Module({
  imports: [queue, InflowsModule, PersonsModule, ExchangeOutboxModule],
  controllers: [ImportsController],
  providers: [ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}

/** The import worker, for `npm start` and `start:worker`. */
@Module({
  imports: [queue, InflowsModule, PersonsModule, ExchangeOutboxModule],
  providers: [ImportsService, ImportProcessor],
})
export class ImportWorkersModule {}

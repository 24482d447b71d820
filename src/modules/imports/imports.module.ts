import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { INFLOW_IMPORT_QUEUE } from '@/common/queues';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { ImportProcessor } from './import.processor';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

const queue = BullModule.registerQueue({
  name: INFLOW_IMPORT_QUEUE,
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
});

@Module({
  imports: [queue, InflowsModule, PersonsModule],
  controllers: [ImportsController],
  providers: [ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}

/** The import worker, for `npm start` and `start:worker`. */
@Module({
  imports: [queue, InflowsModule, PersonsModule],
  providers: [ImportsService, ImportProcessor],
})
export class ImportWorkersModule {}

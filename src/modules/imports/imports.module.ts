import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExchangeOutboxModule } from '@/modules/exchanges/exchange-outbox.module';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { NotificationsModule } from '@/modules/notifications/notifications.module';
import { UsersModule } from '@/modules/users/users.module';
import { ImportRowError, InflowImport } from './import-job.entity';
import { ImportRun } from './import-run';
import { ImportProcessor } from './import.processor';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

@Module({
  imports: [TypeOrmModule.forFeature([InflowImport, ImportRowError]), InflowsModule, PersonsModule, ExchangeOutboxModule, UsersModule],
  controllers: [ImportsController],
  providers: [ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}

/** The import worker, for `npm start` and `start:worker`. */
@Module({
  imports: [TypeOrmModule.forFeature([InflowImport, ImportRowError]), InflowsModule, PersonsModule, ExchangeOutboxModule, UsersModule, NotificationsModule],
  providers: [ImportsService, ImportRun, ImportProcessor],
})
export class ImportWorkersModule {}

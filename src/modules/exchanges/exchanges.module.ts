import { NotificationsModule } from '@/modules/notifications/notifications.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@/modules/cases/cases.module';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { OutflowsModule } from '@/modules/outflows/outflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { Exchange } from './exchange.entity';
import { ExchangeDelivery } from './exchange-delivery';
import { ExchangeDeadlineProcessor, ExchangeDeliveryProcessor } from './exchange-delivery.processor';
import { ExchangeOutboxModule } from './exchange-outbox.module';
import { ExchangeRelay } from './exchange-relay';
import { ExchangesController } from './exchanges.controller';
import { ExchangesService } from './exchanges.service';

@Module({
  imports: [TypeOrmModule.forFeature([Exchange]), ExchangeOutboxModule, CasesModule, InflowsModule, OutflowsModule, PersonsModule, NotificationsModule],
  controllers: [ExchangesController],
  providers: [ExchangesService],
  exports: [ExchangesService],
})
export class ExchangesModule {}

/** The background half: relay and processors. In `npm start` it runs beside the API; `start:worker` runs it alone. */
@Module({
  imports: [ExchangeOutboxModule],
  providers: [ExchangeRelay, ExchangeDelivery, ExchangeDeliveryProcessor, ExchangeDeadlineProcessor],
})
export class ExchangeWorkersModule {}

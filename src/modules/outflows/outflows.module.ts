import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@/modules/cases/cases.module';
import { ExchangeOutboxModule } from '@/modules/exchanges/exchange-outbox.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { Outflow } from './outflow.entity';
import { OutflowsController } from './outflows.controller';
import { OutflowsService } from './outflows.service';

@Module({
  imports: [TypeOrmModule.forFeature([Outflow]), PersonsModule, CasesModule, ExchangeOutboxModule],
  controllers: [OutflowsController],
  providers: [OutflowsService],
  exports: [OutflowsService],
})
export class OutflowsModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExchangesModule } from '@/modules/exchanges/exchanges.module';
import { Inflow } from '@/modules/inflows/inflow.entity';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { Jurisdiction } from '@/modules/jurisdictions/jurisdiction.entity';
import { Outflow } from '@/modules/outflows/outflow.entity';
import { OutflowsModule } from '@/modules/outflows/outflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { CaseViewService } from './case-view.service';
import { CasesController } from './case-view.controller';
import { MigrantCase } from '@/modules/cases/migrant-case.entity';

@Module({
  imports: [TypeOrmModule.forFeature([MigrantCase, Inflow, Outflow, Jurisdiction]), InflowsModule, OutflowsModule, ExchangesModule, PersonsModule],
  controllers: [CasesController],
  providers: [CaseViewService],
})
export class CaseViewModule {}

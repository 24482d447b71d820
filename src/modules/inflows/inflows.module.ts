import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@/modules/cases/cases.module';
import { CertificatesModule } from '@/modules/certificates/certificates.module';
import { ExchangeOutboxModule } from '@/modules/exchanges/exchange-outbox.module';
import { OutflowsModule } from '@/modules/outflows/outflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { Inflow } from './inflow.entity';
import { InflowsController } from './inflows.controller';
import { InflowRegistration } from './inflow-registration.service';
import { InflowRerouting } from './inflow-rerouting';
import { InflowsService } from './inflows.service';

@Module({
  imports: [TypeOrmModule.forFeature([Inflow]), PersonsModule, CasesModule, ExchangeOutboxModule, CertificatesModule, OutflowsModule],
  controllers: [InflowsController],
  providers: [InflowsService, InflowRegistration, InflowRerouting],
  exports: [InflowsService, InflowRegistration],
})
export class InflowsModule {}

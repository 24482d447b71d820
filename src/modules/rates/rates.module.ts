import { IdCipher } from '@/common/id-cipher';
import { Module } from '@nestjs/common';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { RateFolder } from './rate-fold';
import { RatesController } from './rates.controller';
import { RatesService } from './rates.service';

@Module({
  imports: [JurisdictionsModule],
  controllers: [RatesController],
  providers: [RatesService, IdCipher],
  exports: [RatesService],
})
export class RatesModule {}

/** Background upkeep of the roll-up; runs with the other workers. */
@Module({ providers: [RateFolder] })
export class RateWorkersModule {}

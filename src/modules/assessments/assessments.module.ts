import { Module } from '@nestjs/common';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { RatesModule } from '@/modules/rates/rates.module';
import { AssessmentFreezer, AssessmentTicker } from './assessment-freezer';
import { AssessmentSeal } from './assessment-seal';
import { AssessmentsController, PublicAssessmentsController } from './assessments.controller';
import { AssessmentsService } from './assessments.service';

/** 月度考核 (assessment.md): the API, and freezing a month on request. */
@Module({
  imports: [RatesModule, JurisdictionsModule],
  controllers: [AssessmentsController, PublicAssessmentsController],
  providers: [AssessmentsService, AssessmentFreezer, AssessmentSeal],
  exports: [AssessmentFreezer],
})
export class AssessmentsModule {}

/** The cut-off job, in the worker processes: each month frozen for every assessed jurisdiction at its cut-off. */
@Module({
  imports: [RatesModule, JurisdictionsModule],
  providers: [AssessmentFreezer, AssessmentSeal, AssessmentTicker],
  exports: [AssessmentFreezer],
})
export class AssessmentWorkersModule {}

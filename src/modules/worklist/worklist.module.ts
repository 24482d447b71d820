import { Module } from '@nestjs/common';
import { JurisdictionsModule } from '@/modules/jurisdictions/jurisdictions.module';
import { WorklistController } from './worklist.controller';
import { WorklistService } from './worklist.service';

@Module({
  imports: [JurisdictionsModule],
  controllers: [WorklistController],
  providers: [WorklistService],
})
export class WorklistModule {}

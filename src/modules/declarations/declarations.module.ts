import { Module } from '@nestjs/common';
import { InflowsModule } from '@/modules/inflows/inflows.module';
import { PersonsModule } from '@/modules/persons/persons.module';
import { DeclarationsController } from './declarations.controller';
import { DeclarationsService } from './declarations.service';

@Module({
  imports: [InflowsModule, PersonsModule],
  controllers: [DeclarationsController],
  providers: [DeclarationsService],
})
export class DeclarationsModule {}

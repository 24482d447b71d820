import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CaseLinker } from './case-linker';
import { MigrantCase } from './migrant-case.entity';

@Module({
  imports: [TypeOrmModule.forFeature([MigrantCase])],
  providers: [CaseLinker],
  exports: [CaseLinker, TypeOrmModule],
})
export class CasesModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PersonsModule } from '@/modules/persons/persons.module';
import { Certificate } from './certificate.entity';
import { CertificatesController, PublicCertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';
import { VerificationCodes } from './verification-code';

@Module({
  imports: [TypeOrmModule.forFeature([Certificate]), PersonsModule],
  controllers: [CertificatesController, PublicCertificatesController],
  providers: [CertificatesService, VerificationCodes],
  exports: [CertificatesService],
})
export class CertificatesModule {}

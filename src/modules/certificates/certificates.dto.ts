import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CertificateStatus } from './certificate.entity';
import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';
import { ChildDto, IsChildren, IsDivisionCode, IsIdNumber, IsOneOf, IsOptionalField, IsText, PersonRefDto, SpouseDto } from '@/common/dto';
import { Contraception, CONTRACEPTIONS, MARITAL_STATUSES, MaritalStatus } from '@/modules/persons/family';
import { valuesOf } from '@/common/labels';
import { nullable } from '@/common/api-views';
import { ChildView, SpouseView } from '@/modules/persons/persons.dto';

export class IssueCertificateDto {
  @ApiProperty({ type: PersonRefDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PersonRefDto)
  person: PersonRefDto;

  @ApiProperty({ example: '421381101201', description: '户籍地（本辖区内的乡镇或村级代码）' })
  @IsDivisionCode()
  householdCode: string;

  @ApiProperty({ enum: MARITAL_STATUSES })
  @IsOneOf('maritalStatus', '婚姻状况')
  maritalStatus: MaritalStatus;

  @ApiPropertyOptional({ type: SpouseDto })
  @IsOptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => SpouseDto)
  spouse?: SpouseDto;

  @ApiProperty({ type: [ChildDto] })
  @IsChildren()
  children: ChildDto[];

  @ApiProperty({ enum: CONTRACEPTIONS })
  @IsOneOf('contraception', '避孕节育情况')
  contraception: Contraception;
}

export class RevokeCertificateDto {
  @ApiProperty({ example: '婚姻状况已变更' })
  @IsText(200)
  reason: string;
}

/** One of the two, exactly (api.md): the holder's full ID number, or the 证明编号 printed on the certificate. */
export class CertificateLookupQuery {
  @ApiPropertyOptional({ description: '完整的公民身份号码（仅精确查询）' })
  @IsOptionalField()
  @IsIdNumber()
  idNumber?: string;

  @ApiPropertyOptional({ description: '证明编号（仅精确查询）', example: '421381101000-2026-00001' })
  @IsOptionalField()
  @Matches(/^\d{12}-\d{4}-\d{5}$/, { message: '格式应为“乡镇代码-年份-序号”，例如 421381101000-2026-00001' })
  number?: string;
}

// What the API answers (the OpenAPI document the console is typed from).

export class HolderView {
  @ApiProperty() name: string;
  @ApiProperty({ description: '脱敏' }) idNumber: string;
  @ApiProperty({ description: '周岁' }) age: number;
}

export class CertificateView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '421381101000-2026-00001' }) number: string;
  @ApiProperty() verificationCode: string;
  @ApiProperty({ example: 'https://liudong.example.gov.cn/verify/c4WOYe1h…', description: '核验页面（打印的二维码即此链接）' }) verifyUrl: string;
  @ApiProperty({ enum: valuesOf('certificateStatus') }) status: CertificateStatus;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty() issuerCode: string;
  @ApiProperty({ type: HolderView }) holder: HolderView;
  @ApiProperty() householdCode: string;
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: string;
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: string;
  @ApiProperty({ type: String, ...nullable, description: '被替代的证明 id' }) supersedes: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) revokedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) revokeReason: string | null;
}

export class IssuerView {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
}

export class PublicHolderView {
  @ApiProperty({ example: '张*' }) name: string;
  @ApiProperty({ example: '421381********0026' }) idNumber: string;
}

export class VerificationView {
  @ApiProperty({ enum: [true] }) authentic: true;
  @ApiProperty({ enum: valuesOf('certificateStatus') }) status: CertificateStatus;
  @ApiProperty() number: string;
  @ApiProperty({ type: IssuerView }) issuer: IssuerView;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty({ type: PublicHolderView }) holder: PublicHolderView;
}

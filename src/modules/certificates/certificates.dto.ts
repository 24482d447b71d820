import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { ChildDto, IsChildren, IsDivisionCode, IsIdNumber, IsOneOf, IsOptionalField, IsText, PersonRefDto, SpouseDto } from '@/common/dto';
import { Contraception, CONTRACEPTIONS, MARITAL_STATUSES, MaritalStatus } from '@/modules/persons/family';

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

export class CertificateLookupQuery {
  @ApiProperty({ description: '完整的公民身份号码（仅精确查询）' })
  @IsIdNumber()
  idNumber: string;
}

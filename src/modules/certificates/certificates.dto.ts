import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';
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

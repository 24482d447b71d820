import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import type { Inflow } from './inflow.entity';
import type { CertificateCheck } from '@/modules/certificates/certificate-rules';
import { Type } from 'class-transformer';
import { IsBoolean, IsMobilePhone, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { ChildDto, IsChildren, IsPersonName, IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField, IsText, PersonRefDto, SpouseDto } from '@/common/dto';
import { PageQuery } from '@/common/pagination';
import { Contraception, CONTRACEPTIONS, MARITAL_STATUSES, MaritalStatus } from '@/modules/persons/family';
import { INFLOW_STATUSES, InflowStatus, REASONS } from './inflow.entity';
import { valuesOf } from '@/common/labels';
import { nullable, PageView } from '@/common/api-views';
import { ExportFormatQuery } from '@/common/table-export';
import { ChildView, PersonRefView, SpouseView } from '@/modules/persons/persons.dto';

export class InflowPersonDto extends PersonRefDto {
  @ApiPropertyOptional({ example: '13800000000' })
  @IsOptionalField()
  @IsMobilePhone('zh-CN')
  phone?: string;

  @ApiPropertyOptional({ enum: ['male', 'female'], description: '可不填；填写时须与身份证号一致' })
  @IsOptionalField()
  @IsOneOf('sex', '性别')
  sex?: 'male' | 'female';

  @ApiPropertyOptional({ example: '1990-03-07', description: '可不填；填写时须与身份证号一致' })
  @IsOptionalField()
  @IsDateOnly()
  birthDate?: string;
}

export class CreateInflowDto {
  @ApiProperty({ enum: MARITAL_STATUSES })
  @IsOneOf('maritalStatus', '婚姻状况')
  maritalStatus: MaritalStatus;

  @ApiPropertyOptional({ type: SpouseDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SpouseDto)
  spouse?: SpouseDto | null;

  @ApiPropertyOptional({ type: [ChildDto] })
  @IsOptionalField()
  @IsChildren()
  children?: ChildDto[];

  @ApiProperty({ enum: CONTRACEPTIONS })
  @IsOneOf('contraception', '避孕节育情况')
  contraception: Contraception;

  @ApiPropertyOptional()
  @IsOptionalField()
  @IsBoolean()
  pregnant?: boolean;

  @ApiProperty({ type: InflowPersonDto })
  @IsObject()
  @ValidateNested()
  @Type(() => InflowPersonDto)
  person: InflowPersonDto;

  @ApiProperty({ example: '421381101201', description: '户籍地（乡镇或村级代码）' })
  @IsDivisionCode()
  householdCode: string;

  @ApiProperty({ example: '330802005001', description: '现居住地（本辖区内的乡镇或村级代码）' })
  @IsDivisionCode()
  destinationCode: string;

  @ApiProperty({ example: '衢州市柯城区……' })
  @IsText(200)
  address: string;

  @ApiProperty({ example: '2026-11-02' })
  @IsDateOnly()
  arrivalDate: string;

  @ApiProperty({ enum: REASONS })
  @IsOneOf('reason', '流动原因')
  reason: (typeof REASONS)[number];

  @ApiPropertyOptional({ description: '婚育证明编号' })
  @IsOptionalField()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,40}$/, { message: '婚育证明编号格式不正确' })
  certificateNumber?: string;

  @ApiPropertyOptional({ description: '以书面承诺书代替婚育证明' })
  @IsOptionalField()
  @IsBoolean()
  undertaking?: boolean;

  @ApiPropertyOptional({ default: true, description: 'false 保存为草稿（未提交）' })
  @IsOptionalField()
  @IsBoolean()
  submit?: boolean;
}

/** What a PATCH may change: the same rules as registration, every field optional. */
export class UpdateInflowDto extends PartialType(
  PickType(CreateInflowDto, ['address', 'maritalStatus', 'spouse', 'children', 'contraception', 'pregnant'] as const),
) {
  @ApiPropertyOptional({ example: '13800000000' })
  @IsOptionalField()
  @IsMobilePhone('zh-CN')
  phone?: string;

  @ApiPropertyOptional({ example: '张三', description: '姓名（更正登记时填写错误的姓名）' })
  @IsOptionalField()
  @IsPersonName()
  name?: string;

  @ApiPropertyOptional({
    example: '421381101201',
    description: '户籍地（乡镇或村级代码）。更正到另一乡镇（街道）时：原通报撤回，流入通报（及协查）改发新的户籍地',
  })
  @IsOptionalField()
  @IsDivisionCode()
  householdCode?: string;
}

/** What the origin may correct in a reply (api.md, Exchanges): the fields it knows better, each checked as in PATCH. */
export class InflowCorrectionsDto extends PartialType(PickType(CreateInflowDto, ['maritalStatus', 'spouse', 'children', 'contraception'] as const)) {
  @ApiPropertyOptional({ example: '张三', description: '姓名（以户籍地登记为准）' })
  @IsOptionalField()
  @IsPersonName()
  name?: string;
}

export class DepartDto {
  @ApiProperty({ example: '2026-12-01' })
  @IsDateOnly()
  date: string;

  @ApiProperty({ enum: ['departed', 'returned'] })
  @IsOneOf('departureKind', '离开类型')
  kind: 'departed' | 'returned';
}

export class InflowQuery extends PageQuery {
  @ApiPropertyOptional({ enum: INFLOW_STATUSES })
  @IsOptionalField()
  @IsOneOf('inflowStatus', '状态')
  status?: InflowStatus;

  @ApiPropertyOptional({ description: '姓名，或完整的身份证号' })
  @IsOptionalField()
  @IsString()
  @MaxLength(50)
  q?: string;

  @ApiPropertyOptional({ description: '登记日期起（含）' })
  @IsOptionalField()
  @IsDateOnly()
  from?: string;

  @ApiPropertyOptional({ description: '登记日期止（含）' })
  @IsOptionalField()
  @IsDateOnly()
  to?: string;
}

/** 导出 Excel of 流入人员: the list's filters and the file's format. */
export class InflowExportQuery extends IntersectionType(InflowQuery, ExportFormatQuery) {}

// What the API answers (the OpenAPI document the console is typed from).

export class InflowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: PersonRefView }) person: PersonRefView;
  @ApiProperty({ description: '登记的姓名与人员记录（户籍地）不一致，已向户籍地发出协查' }) nameMismatch: boolean;
  @ApiProperty() householdCode: string;
  @ApiProperty() destinationCode: string;
  @ApiProperty() originTownshipCode: string;
  @ApiProperty() destinationTownshipCode: string;
  @ApiProperty() address: string;
  @ApiProperty({ type: String, ...nullable }) phone: string | null;
  @ApiProperty({ example: '2026-11-02' }) arrivalDate: string;
  @ApiProperty({ enum: valuesOf('reason') }) reason: Inflow['reason'];
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: Inflow['maritalStatus'];
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: Inflow['contraception'];
  @ApiProperty() pregnant: boolean;
  @ApiProperty({ type: String, ...nullable }) certificateNumber: string | null;
  @ApiProperty() undertaking: boolean;
  @ApiProperty({ description: '重点对象' }) keyTarget: boolean;
  @ApiProperty({ enum: valuesOf('certificateCheck') }) certificateCheck: CertificateCheck;
  @ApiProperty({ description: '历史数据（15 位身份证号转换或校验位不符）' }) legacy: boolean;
  @ApiProperty({ enum: valuesOf('inflowStatus') }) status: Inflow['status'];
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) submittedAt: string | null;
  @ApiProperty({ format: 'date-time' }) submissionDueAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) closedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) departureDate: string | null;
}

export const InflowPageView = PageView(InflowView, 'InflowPageView');

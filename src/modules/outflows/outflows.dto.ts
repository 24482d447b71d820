import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import type { Outflow } from './outflow.entity';
import { Type } from 'class-transformer';
import { IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField, PersonRefDto } from '@/common/dto';
import { PageQuery } from '@/common/pagination';
import { OUTFLOW_STATUSES, OutflowStatus } from './outflow.entity';
import { valuesOf } from '@/common/labels';
import { nullable, PageView } from '@/common/api-views';
import { ExportFormatQuery } from '@/common/table-export';
import { PersonRefView } from '@/modules/persons/persons.dto';

export class CreateOutflowDto {
  @ApiProperty({ type: PersonRefDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PersonRefDto)
  person: PersonRefDto;

  @ApiProperty({ example: '421381101201', description: '户籍地（本辖区内的乡镇或村级代码）' })
  @IsDivisionCode()
  householdCode: string;

  @ApiProperty({ example: '2026-10-20' })
  @IsDateOnly()
  departureDate: string;

  @ApiPropertyOptional({
    example: '330802005001',
    description: '预计去向：省级及以下任一级的代码；乡镇或村级时向其发出流出通报，更粗时不通报，待此人在该地登记后自动关联',
  })
  @IsOptionalField()
  @IsDivisionCode()
  expectedDestinationCode?: string;
}

export class CloseOutflowDto {
  @ApiProperty({ enum: ['returned', 'deregistered'] })
  @IsOneOf('outflowCloseKind', '注销类型')
  kind: 'returned' | 'deregistered';

  @ApiProperty({ example: '2026-12-20' })
  @IsDateOnly()
  date: string;
}

export class OutflowQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTFLOW_STATUSES })
  @IsOptionalField()
  @IsOneOf('outflowStatus', '状态')
  status?: OutflowStatus;

  @ApiPropertyOptional({ enum: ['effective', 'none'], description: '是否已与现居住地建立有效联系' })
  @IsOptionalField()
  @IsOneOf('contact', '联系状态')
  contact?: 'effective' | 'none';

  @ApiPropertyOptional({ description: '姓名（开头），或完整的身份证号' })
  @IsOptionalField()
  @IsString()
  @MaxLength(50)
  q?: string;
}

/** 导出 Excel of 流出人员: the list's filters and the file's format. */
export class OutflowExportQuery extends IntersectionType(OutflowQuery, ExportFormatQuery) {}

// What the API answers (the OpenAPI document the console is typed from).

export class OutflowView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: PersonRefView }) person: PersonRefView;
  @ApiProperty() householdCode: string;
  @ApiProperty() originTownshipCode: string;
  @ApiProperty({ example: '2026-10-01' }) departureDate: string;
  @ApiProperty({ type: String, ...nullable, description: '预计流入地：省级及以下任一级' }) expectedDestinationCode: string | null;
  @ApiProperty({ description: '登记时是否向预计流入地发出流出通报（流入地粗于乡镇、或已与流入登记关联时为 false）' }) notified: boolean;
  @ApiProperty({ enum: valuesOf('outflowStatus') }) status: Outflow['status'];
  @ApiProperty({ enum: valuesOf('contact') }) contact: 'effective' | 'none';
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) closedAt: string | null;
  @ApiProperty({ type: String, ...nullable }) closeDate: string | null;
}

export const OutflowPageView = PageView(OutflowView, 'OutflowPageView');

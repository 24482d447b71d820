import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsISO8601, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField } from '@/common/dto';
import { PageQuery } from '@/common/pagination';
import { Indicator, INDICATORS, ItemState, ITEM_STATES } from './rate-math';
import { valuesOf } from '@/common/labels';
import { nullable } from '@/common/api-views';
import { ExportFormatQuery } from '@/common/table-export';
import { JurisdictionRefView } from '@/modules/jurisdictions/jurisdictions.dto';

export class RatesQuery {
  @ApiPropertyOptional({ description: '行政区划代码；默认为本人所属区划', example: '420000000000' })
  @IsOptionalField()
  @IsDivisionCode()
  jurisdiction?: string;

  @ApiPropertyOptional({ description: '统计期起（含），Asia/Shanghai 日期；默认为 to 所在年的 1 月 1 日', example: '2026-01-01' })
  @IsOptionalField()
  @IsDateOnly()
  from?: string;

  @ApiPropertyOptional({ description: '统计期止（含）；默认为今天', example: '2026-12-31' })
  @IsOptionalField()
  @IsDateOnly()
  to?: string;

  @ApiPropertyOptional({ description: '截至时点（ISO-8601，带时区）；默认为现在，不能晚于现在', example: '2026-06-30T16:00:00Z' })
  @IsOptionalField()
  @IsISO8601({ strict: true }, { message: '必须是带时区的 ISO-8601 时间' })
  asOf?: string;
}

export class TrendQuery extends RatesQuery {
  @ApiPropertyOptional({ enum: ['month'], default: 'month' })
  @IsOptionalField()
  @IsOneOf('interval', '统计间隔')
  interval = 'month' as const;
}

export class ItemsQuery extends PageQuery {
  @ApiPropertyOptional({ example: '420000000000' })
  @IsOptionalField()
  @IsDivisionCode()
  jurisdiction?: string;

  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptionalField()
  @IsDateOnly()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptionalField()
  @IsDateOnly()
  to?: string;

  @ApiPropertyOptional()
  @IsOptionalField()
  @IsISO8601({ strict: true }, { message: '必须是带时区的 ISO-8601 时间' })
  asOf?: string;

  @ApiPropertyOptional({ enum: INDICATORS, default: 'submission' })
  @IsOptionalField()
  @IsOneOf('indicator', '指标')
  indicator: Indicator = 'submission';

  @ApiPropertyOptional({
    enum: ITEM_STATES,
    description: '信息提交、反馈：onTime|late|overdue|pending；有效联系：none（未有效联系）或 onTime（已有效联系）。不填为全部',
  })
  @IsOptionalField()
  @IsOneOf('itemState', '状态')
  state?: ItemState;
}

export class ExportQuery extends RatesQuery {
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'xlsx' })
  @IsOptionalField()
  @IsOneOf('exportFormat', '导出格式')
  format: 'csv' | 'xlsx' = 'xlsx';
}

/** A target from 0 to 1; null (or omitted) leaves it to be inherited. */
function IsTarget(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: 0.95, nullable: true, minimum: 0, maximum: 1 }),
    IsOptional(),
    IsNumber({ maxDecimalPlaces: 4, allowNaN: false, allowInfinity: false }, { message: '必须是 0 到 1 之间的数，最多 4 位小数' }),
    Min(0, { message: '不能小于 0' }),
    Max(1, { message: '不能大于 1' }),
  );
}

/** Targets set on one jurisdiction. A field left out or null is not set here: it is inherited from above (or RATE_TARGET). */
export class TargetsDto {
  @IsTarget()
  submission?: number | null;

  @IsTarget()
  feedback?: number | null;

  @IsTarget()
  effectiveContact?: number | null;
}

/** 导出 Excel of 明细: the items' filters and the file's format. */
export class ItemsExportQuery extends IntersectionType(ItemsQuery, ExportFormatQuery) {}

// What the API answers (the OpenAPI document the console is typed from).

/** The three indicators' targets in effect (0–1). */
export class TargetValuesView {
  @ApiProperty({ example: 0.95 }) submission: number;
  @ApiProperty({ example: 0.95 }) feedback: number;
  @ApiProperty({ example: 0.9 }) effectiveContact: number;
}

/** The targets set on the place itself; null where it inherits from above. */
export class OwnTargetsView {
  @ApiProperty({ type: Number, ...nullable }) submission: number | null;
  @ApiProperty({ type: Number, ...nullable }) feedback: number | null;
  @ApiProperty({ type: Number, ...nullable }) effectiveContact: number | null;
}

export class TargetsView {
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ type: TargetValuesView, description: '生效的目标值（本级设置，或继承上级，或默认值）' }) targets: TargetValuesView;
  @ApiProperty({ type: OwnTargetsView, description: '本级自己设置的目标值（未设置为 null）' }) own: OwnTargetsView;
  @ApiProperty({ description: '默认目标值（RATE_TARGET）' }) default: number;
}

export class RateFigureView {
  @ApiProperty() numerator: number;
  @ApiProperty() denominator: number;
  @ApiProperty({ type: Number, ...nullable, description: '0–1，4 位小数；分母为 0 时为 null' }) rate: number | null;
  @ApiProperty() target: number;
  @ApiProperty({ type: Boolean, ...nullable }) meetsTarget: boolean | null;
}

export class FlowFigureView extends RateFigureView {
  @ApiProperty() onTime: number;
  @ApiProperty() late: number;
  @ApiProperty() overdue: number;
  @ApiProperty() pending: number;
}

export class RateRowView {
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiPropertyOptional({ enum: [true], description: '本级（直接记在本辖区而非下级的事项）' }) self?: true;
  @ApiProperty({ type: FlowFigureView }) submission: FlowFigureView;
  @ApiProperty({ type: FlowFigureView }) feedback: FlowFigureView;
  @ApiProperty({ type: RateFigureView }) effectiveContact: RateFigureView;
}

export class RatesReportView extends RateRowView {
  @ApiProperty({ example: '2026-01-01' }) from: string;
  @ApiProperty({ example: '2026-12-02' }) to: string;
  @ApiProperty({ format: 'date-time' }) asOf: string;
  @ApiProperty({ type: [RateRowView] }) children: RateRowView[];
}

export class RatesTrendPointView {
  @ApiProperty({ example: '2026-01' }) period: string;
  @ApiProperty({ example: '2026-01-01' }) from: string;
  @ApiProperty({ example: '2026-01-31' }) to: string;
  @ApiProperty({ type: FlowFigureView }) submission: FlowFigureView;
  @ApiProperty({ type: FlowFigureView }) feedback: FlowFigureView;
  @ApiProperty({ type: RateFigureView }) effectiveContact: RateFigureView;
}

export class RatesTrendView {
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ format: 'date-time' }) asOf: string;
  @ApiProperty({ enum: ['month'] }) interval: 'month';
  @ApiProperty({ type: [RatesTrendPointView] }) points: RatesTrendPointView[];
}

export class RateItemPersonView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '421381********0026', description: '脱敏' }) idNumber: string;
  @ApiProperty({ description: '周岁' }) age: number;
}

export class RateItemView {
  @ApiProperty({ enum: valuesOf('indicator') }) indicator: Indicator;
  @ApiProperty({ description: '登记、信息或人员的 id' }) id: string;
  @ApiProperty({ type: String, ...nullable, format: 'uuid' }) caseId: string | null;
  @ApiProperty({ example: 'inflow_registration', description: 'inflow_registration、信息类型，或 person（有效联系率）' }) type: string;
  @ApiProperty({ type: RateItemPersonView }) person: RateItemPersonView;
  @ApiProperty() jurisdictionCode: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇杨榨村' }) jurisdictionName: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) dueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) doneAt: string | null;
  @ApiProperty({ enum: valuesOf('itemState') }) state: ItemState;
}

export class RateItemsPageView {
  @ApiProperty({ type: [RateItemView] }) items: RateItemView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ format: 'date-time' }) asOf: string;
}

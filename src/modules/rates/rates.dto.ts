import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField } from '@/common/dto';
import { PageQuery } from '@/common/pagination';
import { Indicator, INDICATORS, ItemState, ITEM_STATES } from './rate-math';

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

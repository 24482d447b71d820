import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { valuesOf } from '@/common/labels';
import type { RateItem, RateItemsPage, RatesReport, RatesTrend } from '@/modules/rates/rates.service';
import { JurisdictionRefView, nullable, same } from './views';

// What GET /api/rates, /api/rates/trend and /api/rates/items answer, for the OpenAPI document (see views.ts).

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
  @ApiProperty({ enum: valuesOf('indicator') }) indicator: RateItem['indicator'];
  @ApiProperty({ description: '登记、信息或人员的 id' }) id: string;
  @ApiProperty({ type: String, ...nullable, format: 'uuid' }) caseId: string | null;
  @ApiProperty({ example: 'inflow_registration', description: 'inflow_registration、信息类型，或 person（有效联系率）' }) type: string;
  @ApiProperty({ type: RateItemPersonView }) person: RateItemPersonView;
  @ApiProperty() jurisdictionCode: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇杨榨村' }) jurisdictionName: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) dueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) doneAt: string | null;
  @ApiProperty({ enum: valuesOf('itemState') }) state: RateItem['state'];
}

export class RateItemsPageView {
  @ApiProperty({ type: [RateItemView] }) items: RateItemView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ format: 'date-time' }) asOf: string;
}

// Compile-time: each view has exactly the fields (and types) of what the service returns.
export const RATES_VIEW_CHECKS = [
  same<RatesReportView, RatesReport>(true),
  same<RatesTrendView, RatesTrend>(true),
  same<RateItemsPageView, RateItemsPage>(true),
];

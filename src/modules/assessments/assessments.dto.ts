import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { nullable } from '@/common/api-views';
import { IsDivisionCode, IsOptionalField, IsText } from '@/common/dto';
import { JurisdictionRefView } from '@/modules/jurisdictions/jurisdictions.dto';
import { FlowFigureView, RateFigureView, RateRowView } from '@/modules/rates/rates.dto';
import { MONTH, YEAR } from './assessment-period';

export class AssessmentQuery {
  @ApiPropertyOptional({ description: '辖区（县级及以上）；默认为本人所属区划', example: '421300000000' })
  @IsOptionalField()
  @IsDivisionCode()
  jurisdiction?: string;

  @ApiPropertyOptional({ description: '考核月份 YYYY-MM；默认为最近一个已截止的月份', example: '2026-11' })
  @IsOptionalField()
  @IsString({ message: '必须是月份（YYYY-MM）' })
  @Matches(MONTH, { message: '必须是月份（YYYY-MM）' })
  month?: string;
}

export class AssessmentMonthsQuery {
  @ApiPropertyOptional({ description: '辖区（县级及以上）；默认为本人所属区划', example: '421300000000' })
  @IsOptionalField()
  @IsDivisionCode()
  jurisdiction?: string;
}

export class AssessmentYearQuery extends AssessmentMonthsQuery {
  @ApiProperty({ description: '考核年度 YYYY（上年 12 月截止日次日至本年 12 月截止日）', example: '2026' })
  @IsString({ message: '必须是年份（YYYY）' })
  @Matches(YEAR, { message: '必须是年份（YYYY）' })
  year: string;
}

export class ConfirmAssessmentDto {
  @ApiPropertyOptional({ description: '说明（可不填）', maxLength: 500 })
  @IsOptionalField()
  @IsText(500)
  note?: string;
}

// What the API answers.

export class RanksView {
  @ApiProperty({ description: '信息提交率排名（同率同名次，无数据排在最后）' }) submission: number;
  @ApiProperty() feedback: number;
  @ApiProperty() effectiveContact: number;
  @ApiProperty({ description: '综合排名：三项名次的平均，相同时按反馈率' }) overall: number;
}

export class ConfirmationView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: '确认人（姓名）' }) by: string;
  @ApiProperty({ type: String, ...nullable }) note: string | null;
}

export class AssessmentChildView extends RateRowView {
  @ApiProperty({ type: RanksView, ...nullable, description: '在上级的各下级中的排名；本级行为 null' }) ranks: RanksView | null;
  @ApiProperty({ type: ConfirmationView, ...nullable, description: '该下级是否已确认其本月考核（县级及以上）' })
  confirmation: ConfirmationView | null;
}

export class OverdueTownshipView {
  @ApiProperty({ type: JurisdictionRefView, description: 'name 为全称' }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ description: '逾期未提交的流入登记' }) submission: number;
  @ApiProperty({ description: '逾期未反馈的信息' }) feedback: number;
  @ApiProperty() total: number;
}

export class AssessmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ example: '2026-10-21' }) from: string;
  @ApiProperty({ example: '2026-11-20' }) to: string;
  @ApiProperty({ format: 'date-time', description: '截止时点：截止日结束（北京时间次日 0 时）' }) asOf: string;
  @ApiProperty({ format: 'date-time' }) frozenAt: string;
  @ApiProperty({ description: '该月在本服务开始冻结之前已截止，按截止时点补算' }) frozenLate: boolean;
  @ApiProperty({ description: '冻结数据的 SHA-256（规范 JSON）' }) hash: string;
  @ApiProperty({ type: FlowFigureView }) submission: FlowFigureView;
  @ApiProperty({ type: FlowFigureView }) feedback: FlowFigureView;
  @ApiProperty({ type: RateFigureView }) effectiveContact: RateFigureView;
  @ApiProperty({ type: [AssessmentChildView] }) children: AssessmentChildView[];
  @ApiProperty({ type: [OverdueTownshipView], description: '逾期事项最多的十个乡镇（截止时点）' }) overdueTownships: OverdueTownshipView[];
  @ApiProperty({ type: ConfirmationView, ...nullable }) confirmation: ConfirmationView | null;
}

export class AssessmentMonthView {
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: String, format: 'uuid', ...nullable, description: '尚未冻结为 null（打开时按截止时点计算并冻结）' }) id: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) frozenAt: string | null;
  @ApiProperty({ type: Boolean, ...nullable }) frozenLate: boolean | null;
  @ApiProperty() confirmed: boolean;
}

export class AssessmentMonthsView {
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ type: [AssessmentMonthView], description: '已截止的月份，新的在前' }) months: AssessmentMonthView[];
}

export class AssessmentYearChildView extends RateRowView {
  @ApiProperty({ type: RanksView, ...nullable }) ranks: RanksView | null;
}

export class AssessmentYearView {
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ example: '2026' }) year: string;
  @ApiProperty({ example: '2025-12-21' }) from: string;
  @ApiProperty({ example: '2026-12-20' }) to: string;
  @ApiProperty({ format: 'date-time', description: '已计入的最后一个月的截止时点' }) asOf: string;
  @ApiProperty({ type: [String], description: '计入的月份（已截止的）', example: ['2026-01', '2026-02'] }) months: string[];
  @ApiProperty({ type: FlowFigureView, description: '各月计数之和；比率由和重新计算' }) submission: FlowFigureView;
  @ApiProperty({ type: FlowFigureView }) feedback: FlowFigureView;
  @ApiProperty({ type: RateFigureView }) effectiveContact: RateFigureView;
  @ApiProperty({ type: [AssessmentYearChildView] }) children: AssessmentYearChildView[];
}

export class AssessmentVerificationView {
  @ApiProperty({ enum: [true] }) authentic: true;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ format: 'date-time' }) frozenAt: string;
}

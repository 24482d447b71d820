import { booleanFromQuery, IsOneOf, IsOptionalField } from '@/common/dto';
import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { InflowCorrectionsDto } from '@/modules/inflows/inflows.dto';
import { EXCHANGE_STATUSES, EXCHANGE_TYPES, ExchangeStatus, ExchangeType, Outcome, OUTCOMES } from './exchange.entity';
import { valuesOf } from '@/common/labels';
import { MANUAL_EXCHANGE_TYPES } from '@/common/exchange-types';
import { nullable, PageView } from '@/common/api-views';
import { ChildView, SpouseView } from '@/modules/persons/persons.dto';
import { ExportFormatQuery } from '@/common/table-export';

export class CreateExchangeDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ enum: MANUAL_EXCHANGE_TYPES })
  @IsOneOf('exchangeType', '类型', MANUAL_EXCHANGE_TYPES)
  type: 'verification_request' | 'event_notice';

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: '协查：subject 协查事项，question 说明',
    example: { subject: '核实婚育情况', question: '请核实其婚育证明是否有效' },
  })
  @IsObject()
  payload: Record<string, unknown>;
}

export class ReplyDto {
  @ApiProperty({ enum: OUTCOMES })
  @IsOneOf('outcome', '反馈结果')
  outcome: Outcome;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptionalField()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiPropertyOptional({ type: InflowCorrectionsDto, description: '反馈“信息有误”时必填：户籍地掌握的正确信息，按流入登记的规则校验' })
  @IsOptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => InflowCorrectionsDto)
  corrections?: InflowCorrectionsDto;
}

export class OutboxQuery extends PageQuery {
  @ApiPropertyOptional({ description: '当事人的姓名（开头），或完整的身份证号' })
  @IsOptionalField()
  @IsString()
  @MaxLength(50)
  q?: string;

  @ApiPropertyOptional({ enum: EXCHANGE_STATUSES })
  @IsOptionalField()
  @IsOneOf('exchangeStatus', '状态')
  status?: ExchangeStatus;

  @ApiPropertyOptional({ enum: EXCHANGE_TYPES })
  @IsOptionalField()
  @IsOneOf('exchangeType', '类型')
  type?: ExchangeType;

  @ApiPropertyOptional({ description: 'true：只看需要反馈的；false：只看无需反馈的通知（如离开通报）' })
  @IsOptionalField()
  @Transform(booleanFromQuery)
  @IsBoolean()
  needsReply?: boolean;
}

export class InboxQuery extends OutboxQuery {
  @ApiPropertyOptional({ description: 'true：只看已逾期未反馈的' })
  @IsOptionalField()
  @Transform(booleanFromQuery)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 30, description: '只看 N 天内到期、尚未反馈的（工作台“即将到期”为 3）' })
  @IsOptionalField()
  @Type(() => Number)
  @IsInt({ message: '必须是整数' })
  @Min(1, { message: '不能小于 1' })
  @Max(30, { message: '不能大于 30' })
  dueWithinDays?: number;
}

/** 导出 Excel of 收件箱: the list's filters and the file's format. */
export class InboxExportQuery extends IntersectionType(InboxQuery, ExportFormatQuery) {}

/** 导出 Excel of 发件箱: the list's filters and the file's format. */
export class OutboxExportQuery extends IntersectionType(OutboxQuery, ExportFormatQuery) {}

// What the API answers (the OpenAPI document the console is typed from).

export class ExchangeSubjectView {
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: '421381********0026' }) idNumber: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ description: '周岁' }) age: number;
}

export class ReplierView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) jurisdictionName: string;
}

export class ExchangeReplyView {
  @ApiProperty({ enum: valuesOf('outcome') }) outcome: Outcome;
  @ApiProperty({ type: String, ...nullable }) note: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, ...nullable, description: '“信息有误”时的更正（身份证号脱敏）' })
  corrections: Record<string, unknown> | null;
  @ApiProperty({ type: ReplierView, ...nullable }) by: ReplierView | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class FactsPlaceView {
  @ApiProperty() code: string;
  @ApiProperty({ example: '浙江省衢州市柯城区府山街道府山社区' }) name: string;
}

/** What the origin verifies about a registration (api.md `facts`): the registration's current values, numbers masked. */
export class ExchangeFactsView {
  @ApiProperty() name: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ description: '周岁' }) age: number;
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: string;
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: string;
  @ApiProperty() pregnant: boolean;
  @ApiProperty({ type: FactsPlaceView }) destination: FactsPlaceView;
  @ApiProperty() address: string;
  @ApiProperty({ type: String, ...nullable }) phone: string | null;
}

/** Who sent it, to call back: the sending clerk, the place in full, the clerk's contact phone. */
export class ExchangeSenderView {
  @ApiProperty() displayName: string;
  @ApiProperty({ example: '浙江省衢州市柯城区府山街道' }) jurisdictionName: string;
  @ApiProperty({ type: String, ...nullable }) phone: string | null;
}

export class ExchangeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ enum: valuesOf('exchangeType') }) type: ExchangeType;
  @ApiProperty() fromCode: string;
  @ApiProperty({ description: '发送的具体单位（村、社区或乡镇）' }) fromUnitCode: string;
  @ApiProperty({ example: '浙江省衢州市柯城区府山街道' }) fromName: string;
  @ApiProperty() toCode: string;
  @ApiProperty({ description: '收件的具体单位：其辖区内的工作人员可以反馈' }) toUnitCode: string;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) toName: string;
  @ApiProperty({ type: ExchangeSubjectView, ...nullable, description: '当事人' }) subject: ExchangeSubjectView | null;
  @ApiProperty({ description: '加急' }) urgent: boolean;
  @ApiProperty({ description: '需要反馈' }) needsReply: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
  @ApiProperty({ enum: valuesOf('exchangeStatus') }) status: ExchangeStatus;
  @ApiProperty({ format: 'date-time' }) sentAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) deliveredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable, description: '办理期限' }) dueAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) repliedAt: string | null;
  @ApiProperty({ type: ExchangeReplyView, ...nullable }) reply: ExchangeReplyView | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, ...nullable }) lastError: string | null;
  @ApiPropertyOptional({ type: ExchangeFactsView, description: '仅收件方查看一条流入通报或协查时：需核实的登记内容' }) facts?: ExchangeFactsView;
  @ApiPropertyOptional({ type: ExchangeSenderView, description: '仅收件方查看一条流入通报或协查时：发送人及联系电话' }) sender?: ExchangeSenderView;
}

export const ExchangePageView = PageView(ExchangeView, 'ExchangePageView');

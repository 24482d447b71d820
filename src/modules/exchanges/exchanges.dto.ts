import { IsOneOf, IsOptionalField } from '@/common/dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { InflowCorrectionsDto } from '@/modules/inflows/inflows.dto';
import { EXCHANGE_STATUSES, EXCHANGE_TYPES, ExchangeStatus, ExchangeType, Outcome, OUTCOMES } from './exchange.entity';

export class CreateExchangeDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ enum: ['verification_request', 'event_notice'] })
  @IsOneOf('exchangeType', '类型', ['verification_request', 'event_notice'])
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

const booleanFromQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class OutboxQuery extends PageQuery {
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

import { IsOptionalField } from '@/common/dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { EXCHANGE_STATUSES, EXCHANGE_TYPES, ExchangeStatus, ExchangeType, Outcome, OUTCOMES } from './exchange.entity';

export class CreateExchangeDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ enum: ['verification_request', 'event_notice'] })
  @IsIn(['verification_request', 'event_notice'])
  type: 'verification_request' | 'event_notice';

  @ApiProperty({ example: { subject: '核实婚育情况', question: '请核实其婚育证明是否有效' } })
  @IsObject()
  payload: Record<string, unknown>;
}

export class ReplyDto {
  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES)
  outcome: Outcome;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptionalField()
  @IsString()
  @MaxLength(1000)
  note?: string;

  @ApiPropertyOptional({ description: '信息有误时的更正内容（字段名 → 正确值）', example: { maritalStatus: 'divorced' } })
  @IsOptionalField()
  @IsObject()
  corrections?: Record<string, unknown>;
}

const booleanFromQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class OutboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: EXCHANGE_STATUSES })
  @IsOptionalField()
  @IsIn(EXCHANGE_STATUSES)
  status?: ExchangeStatus;

  @ApiPropertyOptional({ enum: EXCHANGE_TYPES })
  @IsOptionalField()
  @IsIn(EXCHANGE_TYPES)
  type?: ExchangeType;
}

export class InboxQuery extends OutboxQuery {
  @ApiPropertyOptional({ description: 'true：只看已逾期未反馈的' })
  @IsOptionalField()
  @Transform(booleanFromQuery)
  @IsBoolean()
  overdue?: boolean;
}

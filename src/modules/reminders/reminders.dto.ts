import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { nullable } from '@/common/api-views';
import { IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField, IsText } from '@/common/dto';
import { JurisdictionRefView } from '@/modules/jurisdictions/jurisdictions.dto';
import { INDICATORS, type Indicator } from '@/modules/rates/rate-math';

export class CreateReminderDto {
  @ApiProperty({ description: '被催办的辖区（本人辖区之内的下级）', example: '421381101000' })
  @IsDivisionCode()
  jurisdictionCode: string;

  @ApiPropertyOptional({ enum: INDICATORS, description: '催办的指标；不填为全部三项' })
  @IsOptionalField()
  @IsOneOf('indicator', '指标')
  indicator?: Indicator;

  @ApiPropertyOptional({ description: '说明（会转发到工作群：不要写姓名、身份证号或电话）', maxLength: 200 })
  @IsOptionalField()
  @IsText(200)
  // A note travels into chat groups with the notification: no ID or phone numbers in it.
  @Matches(/^(?![\s\S]*\d{11})[\s\S]*$/, { message: '不能包含身份证号或电话号码' })
  note?: string;
}

export class ReminderQuery {
  @ApiPropertyOptional({ description: '辖区；默认为本人所属区划（含下级）' })
  @IsOptionalField()
  @IsDivisionCode()
  jurisdiction?: string;

  @ApiPropertyOptional({ description: '发出日期起（含），北京时间', example: '2026-12-01' })
  @IsOptionalField()
  @IsDateOnly()
  from?: string;

  @ApiPropertyOptional({ description: '发出日期止（含），北京时间', example: '2026-12-31' })
  @IsOptionalField()
  @IsDateOnly()
  to?: string;
}

/** The place's overdue counts when the reminder was sent. */
export class ReminderCountsView {
  @ApiProperty({ description: '信息提交逾期未办' }) submission: number;
  @ApiProperty({ description: '反馈逾期未办' }) feedback: number;
  @ApiProperty({ description: '未联系的流出人员' }) effectiveContact: number;
}

export class ReminderSenderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '广水市督导' }) displayName: string;
}

export class ReminderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
  @ApiProperty({ type: String, enum: INDICATORS, ...nullable }) indicator: Indicator | null;
  @ApiProperty({ type: String, ...nullable }) note: string | null;
  @ApiProperty({ type: ReminderCountsView }) counts: ReminderCountsView;
  @ApiProperty({ description: '收到催办的工作人员数' }) recipients: number;
  @ApiProperty({ description: '已读的人数' }) read: number;
  @ApiProperty({ format: 'date-time' }) sentAt: string;
  @ApiProperty({ type: ReminderSenderView }) by: ReminderSenderView;
}

export class ReminderListView {
  @ApiProperty({ type: [ReminderView] }) items: ReminderView[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { booleanFromQuery, IsOptionalField } from '@/common/dto';
import { nullable, PageView } from '@/common/api-views';
import { valuesOf } from '@/common/labels';
import { PageQuery } from '@/common/pagination';

export const NOTIFICATION_KINDS = ['due_soon', 'overdue', 'reply_action', 'import_done', 'reminder', 'escalation'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export class NotificationQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'true：只看未读的' })
  @IsOptionalField()
  @Transform(booleanFromQuery)
  @IsBoolean({ message: '只能是 true 或 false' })
  unread?: boolean;
}

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: valuesOf('notificationKind') }) kind: NotificationKind;
  @ApiProperty({ example: '3 条反馈即将到期' }) title: string;
  @ApiProperty() body: string;
  @ApiProperty({ description: '工作台内的链接（路径），打开可办理', example: '/exchanges?box=inbox&due=3' }) link: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) readAt: string | null;
}

export class NotificationPageView extends PageView(NotificationView, 'NotificationPageView') {}

export class UnreadCountView {
  @ApiProperty() count: number;
}

export class MarkedReadView {
  @ApiProperty({ description: '本次标为已读的条数' }) count: number;
}

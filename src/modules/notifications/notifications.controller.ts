import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SupervisorMayWrite } from '@/common/auth.decorators';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { MarkedReadView, NotificationPageView, NotificationQuery, NotificationView, UnreadCountView } from './notifications.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@SupervisorMayWrite()
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({ type: NotificationPageView })
  @ApiOperation({ summary: '本人的站内消息，最新的在前' })
  list(@CurrentUser() user: AuthUser, @Query() query: NotificationQuery): Promise<NotificationPageView> {
    return this.notifications.list(user, query);
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountView })
  @ApiOperation({ summary: '本人未读消息的条数（页头“消息”）' })
  unreadCount(@CurrentUser() user: AuthUser): Promise<UnreadCountView> {
    return this.notifications.unreadCount(user);
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkedReadView })
  @ApiOperation({ summary: '全部标为已读' })
  markAllRead(@CurrentUser() user: AuthUser): Promise<MarkedReadView> {
    return this.notifications.markAllRead(user);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationView })
  @ApiOperation({ summary: '标为已读（只能是本人的消息）' })
  markRead(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string): Promise<NotificationView> {
    return this.notifications.markRead(user, id);
  }
}

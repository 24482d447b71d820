import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, SupervisorMayWrite } from '@/common/auth.decorators';
import { AuthUser, CurrentUser } from '@/common/scope';
import { CreateReminderDto, ReminderListView, ReminderQuery, ReminderView } from './reminders.dto';
import { RemindersService } from './reminders.service';

@ApiTags('reminders')
@ApiBearerAuth()
@Controller('reminders')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Post()
  @Roles('supervisor', 'admin')
  @SupervisorMayWrite()
  @ApiCreatedResponse({ type: ReminderView })
  @ApiOperation({ summary: '催办：提醒本辖区内的一个下级办理逾期事项（同一人、辖区、指标每天一次；记入审计）' })
  send(@CurrentUser() user: AuthUser, @Body() dto: CreateReminderDto): Promise<ReminderView> {
    return this.reminders.send(user, dto);
  }

  @Get()
  @Roles('supervisor', 'admin')
  @ApiOkResponse({ type: ReminderListView })
  @ApiOperation({ summary: '发往本辖区内各地的催办：谁、何时、催办何地、当时的逾期数、收到和已读的人数' })
  list(@CurrentUser() user: AuthUser, @Query() query: ReminderQuery): Promise<ReminderListView> {
    return this.reminders.list(user, query);
  }
}

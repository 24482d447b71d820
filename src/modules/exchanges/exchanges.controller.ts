import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTableFile, sendTable } from '@/common/table-export';
import { beijingTime, todayInShanghai } from '@/common/time';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExchangePageView, ExchangeView } from './exchanges.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CreateExchangeDto, InboxExportQuery, InboxQuery, OutboxExportQuery, OutboxQuery, ReplyDto } from './exchanges.dto';
import { ExchangesService } from './exchanges.service';

@ApiTags('exchanges')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('exchanges')
export class ExchangesController {
  constructor(private readonly exchanges: ExchangesService) {}

  @Get('inbox/export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出收件箱（与列表相同的筛选；身份证号脱敏；最多 10000 行；记入审计）' })
  async exportInbox(@CurrentUser() user: AuthUser, @Query() query: InboxExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { headers, rows } = await this.exchanges.exportRows(user, 'inbox', query);
    const title = `收件箱（导出于 ${beijingTime(new Date())}，北京时间；身份证号已脱敏）`;
    return sendTable(reply, query.format, { ascii: 'inbox', chinese: `收件箱-${todayInShanghai()}`, sheet: '收件箱', title }, headers, rows);
  }

  @Get('outbox/export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出发件箱（与列表相同的筛选；身份证号脱敏；最多 10000 行；记入审计）' })
  async exportOutbox(@CurrentUser() user: AuthUser, @Query() query: OutboxExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { headers, rows } = await this.exchanges.exportRows(user, 'outbox', query);
    const title = `发件箱（导出于 ${beijingTime(new Date())}，北京时间；身份证号已脱敏）`;
    return sendTable(reply, query.format, { ascii: 'outbox', chinese: `发件箱-${todayInShanghai()}`, sheet: '发件箱', title }, headers, rows);
  }

  @Get('inbox')
  @ApiOkResponse({ type: ExchangePageView })
  @ApiOperation({ summary: '收件箱：发给本辖区的信息，按反馈期限排序' })
  inbox(@CurrentUser() user: AuthUser, @Query() query: InboxQuery) {
    return this.exchanges.inbox(user, query);
  }

  @Get('outbox')
  @ApiOkResponse({ type: ExchangePageView })
  @ApiOperation({ summary: '发件箱：本辖区发出的信息' })
  outbox(@CurrentUser() user: AuthUser, @Query() query: OutboxQuery) {
    return this.exchanges.outboxList(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ExchangeView })
  get(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.exchanges.get(user, id);
  }

  @Post()
  @ApiCreatedResponse({ type: ExchangeView })
  @Roles('staff')
  @ApiOperation({ summary: '发起协查或服务管理信息通报（本方 → 个案的另一方）' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateExchangeDto) {
    return this.exchanges.create(user, dto);
  }

  @Post(':id/reply')
  @ApiOkResponse({ type: ExchangeView })
  @Roles('staff')
  @HttpCode(200)
  @ApiOperation({ summary: '反馈（仅收件方，只能反馈一次）' })
  reply(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: ReplyDto) {
    return this.exchanges.reply(user, id, dto);
  }

  @Post(':id/retry')
  @ApiOkResponse({ type: ExchangeView })
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: '重新投递失败的信息（管理员）' })
  retry(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.exchanges.retry(user, id);
  }
}

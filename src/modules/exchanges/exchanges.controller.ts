import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExchangePageView, ExchangeView } from './exchanges.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CreateExchangeDto, InboxQuery, OutboxQuery, ReplyDto } from './exchanges.dto';
import { ExchangesService } from './exchanges.service';

@ApiTags('exchanges')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('exchanges')
export class ExchangesController {
  constructor(private readonly exchanges: ExchangesService) {}

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

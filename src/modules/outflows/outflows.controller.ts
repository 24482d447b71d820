import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTableFile, sendTable } from '@/common/table-export';
import { beijingTime, todayInShanghai } from '@/common/time';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutflowPageView, OutflowView } from './outflows.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CloseOutflowDto, CreateOutflowDto, OutflowExportQuery, OutflowQuery } from './outflows.dto';
import { OutflowsService } from './outflows.service';

@ApiTags('outflows')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false })
@Controller('outflows')
export class OutflowsController {
  constructor(private readonly outflows: OutflowsService) {}

  @Post()
  @ApiCreatedResponse({ type: OutflowView })
  @Roles('staff')
  @ApiOperation({ summary: '流出登记（户籍地）' })
  register(@CurrentUser() user: AuthUser, @Body() dto: CreateOutflowDto) {
    return this.outflows.register(user, dto);
  }

  @Get('export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出流出人员（与列表相同的筛选；身份证号脱敏；最多 10000 行；记入审计）' })
  async export(@CurrentUser() user: AuthUser, @Query() query: OutflowExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { headers, rows } = await this.outflows.exportRows(user, query);
    const title = `流出人员（导出于 ${beijingTime(new Date())}，北京时间；身份证号已脱敏）`;
    return sendTable(reply, query.format, { ascii: 'outflows', chinese: `流出人员-${todayInShanghai()}`, sheet: '流出人员', title }, headers, rows);
  }

  @Get()
  @ApiOkResponse({ type: OutflowPageView })
  @ApiOperation({ summary: '本辖区户籍人员的流出登记（可按有效联系筛选）' })
  list(@CurrentUser() user: AuthUser, @Query() query: OutflowQuery) {
    return this.outflows.list(user, query);
  }

  @Post(':id/close')
  @ApiOkResponse({ type: OutflowView })
  @Roles('staff')
  @HttpCode(200)
  @ApiOperation({ summary: '结束流出登记（返乡或注销）' })
  close(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: CloseOutflowDto) {
    return this.outflows.close(user, id, dto);
  }
}

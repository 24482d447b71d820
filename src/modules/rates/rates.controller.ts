import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ItemsExportQuery, RateItemsPageView, RatesReportView, RatesTrendView, TargetsView } from './rates.dto';
import type { FastifyReply } from 'fastify';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { toCsv, toXlsx } from './rates-export';
import { ApiTableFile, sendTable } from '@/common/table-export';
import { todayInShanghai } from '@/common/time';
import { ExportQuery, ItemsQuery, RatesQuery, TargetsDto, TrendQuery } from './rates.dto';
import { RatesService } from './rates.service';

@ApiTags('rates')
@ApiBearerAuth()
@Controller('rates')
export class RatesController {
  constructor(private readonly rates: RatesService) {}

  @Get()
  @ApiOkResponse({ type: RatesReportView })
  @ApiOperation({ summary: '考核指标：信息提交率、反馈率、有效联系率，含各下级（rates.md）' })
  report(@CurrentUser() user: AuthUser, @Query() query: RatesQuery) {
    return this.rates.report(user, query);
  }

  @Get('trend')
  @ApiOkResponse({ type: RatesTrendView })
  @ApiOperation({ summary: '按月趋势' })
  trend(@CurrentUser() user: AuthUser, @Query() query: TrendQuery) {
    return this.rates.trend(user, query);
  }

  @Get('items/export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出指标明细（与明细相同的筛选；身份证号脱敏；最多 10000 行；记入审计）' })
  async exportItems(@CurrentUser() user: AuthUser, @Query() query: ItemsExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { title, headers, rows } = await this.rates.exportItems(user, query);
    return sendTable(reply, query.format, { ascii: 'rate-items', chinese: `明细-${todayInShanghai()}`, sheet: '明细', title }, headers, rows);
  }

  @Get('items')
  @ApiOkResponse({ type: RateItemsPageView })
  @ApiOperation({ summary: '指标明细：某一状态背后的具体事项（身份证号脱敏，分页）' })
  items(@CurrentUser() user: AuthUser, @Query() query: ItemsQuery) {
    return this.rates.items(user, query);
  }

  @Get('export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出各下级的全部计数（CSV 或 XLSX）' })
  async export(@CurrentUser() user: AuthUser, @Query() query: ExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.rates.report(user, query);
    const name = `考核指标-${report.jurisdiction.name}-${report.from}至${report.to}.${query.format}`;
    const type = query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    void reply
      .header('Content-Type', type)
      .header('Content-Disposition', `attachment; filename="rates-${report.jurisdiction.code}.${query.format}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('Cache-Control', 'no-store');
    return query.format === 'csv' ? toCsv(report) : toXlsx(report);
  }

  @Get('targets/:code')
  @ApiOkResponse({ type: TargetsView })
  @ApiOperation({ summary: '某区划生效的目标值（本级设置，或继承上级，或默认 RATE_TARGET）' })
  targets(@CurrentUser() user: AuthUser, @Param('code') code: string): Promise<TargetsView> {
    return this.rates.targets(user, code);
  }

  @Put('targets/:code')
  @Roles('admin')
  @ApiOkResponse({ type: TargetsView, description: '设置后生效的目标值' })
  @ApiOperation({ summary: '设置本区划的目标值（管理员，本辖区内）；未给出的指标改为继承上级' })
  setTargets(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() dto: TargetsDto): Promise<TargetsView> {
    return this.rates.setTargets(user, code, dto);
  }
}

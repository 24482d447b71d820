import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTableFile, sendTable } from '@/common/table-export';
import { beijingTime, todayInShanghai } from '@/common/time';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InflowPageView, InflowView } from './inflows.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CreateInflowDto, DepartDto, InflowExportQuery, InflowQuery, UpdateInflowDto } from './inflows.dto';
import { InflowRegistration } from './inflow-registration.service';
import { InflowsService } from './inflows.service';

@ApiTags('inflows')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: '重试时使用相同的键，不会重复登记' })
@Controller('inflows')
export class InflowsController {
  constructor(
    private readonly inflows: InflowsService,
    private readonly registration: InflowRegistration,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: InflowView })
  @Roles('staff')
  @ApiOperation({ summary: '流入登记（现居住地）' })
  register(@CurrentUser() user: AuthUser, @Body() dto: CreateInflowDto) {
    return this.registration.register(user, dto);
  }

  @Get('export')
  @ApiTableFile()
  @ApiOperation({ summary: '导出流入人员（与列表相同的筛选；身份证号脱敏；最多 10000 行；记入审计）' })
  async export(@CurrentUser() user: AuthUser, @Query() query: InflowExportQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    const { headers, rows } = await this.inflows.exportRows(user, query);
    const title = `流入人员（导出于 ${beijingTime(new Date())}，北京时间；身份证号已脱敏）`;
    return sendTable(reply, query.format, { ascii: 'inflows', chinese: `流入人员-${todayInShanghai()}`, sheet: '流入人员', title }, headers, rows);
  }

  @Get()
  @ApiOkResponse({ type: InflowPageView })
  @ApiOperation({ summary: '本辖区（现居住地）的流入登记' })
  list(@CurrentUser() user: AuthUser, @Query() query: InflowQuery) {
    return this.inflows.list(user, query);
  }

  @Get(':id/form.pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: '登记表（PDF）', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: '打印登记表：含完整身份证号和签名栏的 PDF（两端工作人员；记录审计）' })
  async formPdf(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const pdf = await this.inflows.formPdf(user, id);
    void reply
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', `inline; filename="registration-${id}.pdf"; filename*=UTF-8''${encodeURIComponent('流动人口信息登记表.pdf')}`)
      .header('Cache-Control', 'no-store');
    return pdf;
  }

  @Get(':id')
  @ApiOkResponse({ type: InflowView })
  @ApiOperation({ summary: '流入登记详情，含完整身份证号（流入地与户籍地均可查看；记录审计）' })
  detail(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.inflows.detail(user, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: InflowView })
  @Roles('staff')
  @ApiOperation({ summary: '修改地址、电话、婚育情况' })
  update(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: UpdateInflowDto) {
    return this.inflows.update(user, id, dto);
  }

  @Post(':id/submit')
  @ApiOkResponse({ type: InflowView })
  @Roles('staff')
  @HttpCode(200)
  @ApiOperation({ summary: '提交草稿' })
  submit(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.inflows.submit(user, id);
  }

  @Post(':id/depart')
  @ApiOkResponse({ type: InflowView })
  @Roles('staff')
  @HttpCode(200)
  @ApiOperation({ summary: '登记离开（迁往他处或返回户籍地）' })
  depart(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: DepartDto) {
    return this.inflows.depart(user, id, dto);
  }
}

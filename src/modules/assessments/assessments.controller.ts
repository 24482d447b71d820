import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle, Throttle, ThrottlerGuard } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Public, Roles, SupervisorMayWrite } from '@/common/auth.decorators';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { renderReportPdf, renderReportXlsx, reportTitle } from './assessment-report';
import {
  AssessmentMonthsQuery,
  AssessmentMonthsView,
  AssessmentQuery,
  AssessmentVerificationView,
  AssessmentView,
  AssessmentYearQuery,
  AssessmentYearView,
  ConfirmAssessmentDto,
} from './assessments.dto';
import { AssessmentsService } from './assessments.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('assessments')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('assessments')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Get()
  @ApiOkResponse({ type: AssessmentView })
  @ApiOperation({ summary: '月度考核：某辖区某考核月份冻结的考核结果与各下级排名（截止前 404 NOT_YET_DUE）' })
  get(@CurrentUser() user: AuthUser, @Query() query: AssessmentQuery): Promise<AssessmentView> {
    return this.assessments.get(user, query);
  }

  @Get('months')
  @ApiOkResponse({ type: AssessmentMonthsView })
  @ApiOperation({ summary: '已截止的考核月份（新的在前），是否已冻结、已确认' })
  months(@CurrentUser() user: AuthUser, @Query() query: AssessmentMonthsQuery): Promise<AssessmentMonthsView> {
    return this.assessments.months(user, query.jurisdiction);
  }

  @Get('year')
  @ApiOkResponse({ type: AssessmentYearView })
  @ApiOperation({ summary: '年度考核：本年度已截止各月计数之和，比率由和重新计算，各下级排名' })
  year(@CurrentUser() user: AuthUser, @Query() query: AssessmentYearQuery): Promise<AssessmentYearView> {
    return this.assessments.year(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: AssessmentView })
  @ApiOperation({ summary: '一个冻结的考核月' })
  byId(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string): Promise<AssessmentView> {
    return this.assessments.byId(user, id);
  }

  @Get(':id/report.pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: '考核月报（A4 PDF）', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: '下载月报：考核结果、各下级排名、对比图与趋势图、逾期最多的乡镇、本月催办、签字栏与核验二维码' })
  async pdf(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const report = await this.assessments.monthlyReport(user, id);
    void reply
      .header('Content-Type', 'application/pdf')
      .header(
        'Content-Disposition',
        `inline; filename="assessment-${report.assessment.month}.pdf"; filename*=UTF-8''${encodeURIComponent(`${reportTitle(report)}.pdf`)}`,
      )
      .header('Cache-Control', 'no-store');
    return renderReportPdf(report);
  }

  @Get(':id/report.xlsx')
  @ApiProduces(XLSX)
  @ApiOkResponse({ description: '月报的各表（XLSX）', content: { [XLSX]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: '导出 Excel：与月报相同的表' })
  async xlsx(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const report = await this.assessments.monthlyReport(user, id);
    void reply
      .header('Content-Type', XLSX)
      .header(
        'Content-Disposition',
        `attachment; filename="assessment-${report.assessment.month}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${reportTitle(report)}.xlsx`)}`,
      )
      .header('Cache-Control', 'no-store');
    return renderReportXlsx(report);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Roles('supervisor')
  @SupervisorMayWrite()
  @ApiOkResponse({ type: AssessmentView })
  @ApiOperation({ summary: '确认本辖区的考核月报（本辖区督导，一次；再次确认 409 ALREADY_CONFIRMED；不改变任何数字）' })
  confirm(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: ConfirmAssessmentDto): Promise<AssessmentView> {
    return this.assessments.confirm(user, id, dto.note);
  }
}

/** Anyone holding a printed report checks its hash here: no login, minimal disclosure, rate-limited per address. */
@ApiTags('public')
@Controller('public/assessments')
export class PublicAssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Get('verify/:hash')
  @Public()
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ username: true })
  @Throttle({ ip: { limit: 60, ttl: 60_000 } })
  @ApiOkResponse({ type: AssessmentVerificationView })
  @ApiOperation({ summary: '核验考核月报的数据摘要（无需登录）；不是本系统冻结的或已被改动的 404 { authentic: false }' })
  async verify(@Param('hash') hash: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.assessments.verify(hash);
    if (result) return result;
    void reply.status(404);
    return { statusCode: 404, code: 'NOT_AUTHENTIC', message: '无法核验：不是本系统冻结的考核月报，或数据已被改动', details: [], authentic: false };
  }
}

import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ImportAcceptedView, ImportPageView, ImportView } from './imports.dto';
import { PageQuery } from '@/common/pagination';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '@/common/errors';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { buildTemplate } from './import-template';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@ApiBearerAuth()
@Controller()
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get('inflows/import/template.xlsx')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: '导入模板（XLSX：数据页只有表头，另有「填写说明」页）', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: '流入登记批量导入模板（XLSX）' })
  async template(@Res({ passthrough: true }) reply: FastifyReply) {
    void reply
      .header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Content-Disposition', `attachment; filename="inflow-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('流入登记导入模板.xlsx')}`);
    return buildTemplate();
  }

  @Post('inflows/import')
  @ApiAcceptedResponse({ type: ImportAcceptedView })
  @Roles('staff')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiQuery({ name: 'legacy', required: false, description: 'true：接受校验位错误的历史数据（并标记）' })
  @ApiOperation({ summary: '批量导入流入登记（CSV 或 XLSX），后台处理' })
  async upload(@CurrentUser() user: AuthUser, @Req() request: FastifyRequest, @Query('legacy') legacyQuery?: string) {
    if (!request.isMultipart()) throw Errors.validation([{ field: 'file', message: '请以 multipart/form-data 上传文件（字段名 file）' }]);
    const part = await request.file();
    if (!part || part.fieldname !== 'file') throw Errors.validation([{ field: 'file', message: '缺少文件（字段名 file）' }]);
    const buffer = await part.toBuffer();
    const legacyField = (part.fields.legacy as { value?: unknown } | undefined)?.value;
    const legacy = legacyQuery === 'true' || legacyField === 'true';
    if (legacyQuery !== undefined && legacyQuery !== 'true' && legacyQuery !== 'false')
      throw Errors.validation([{ field: 'legacy', message: '必须是 true 或 false' }]);
    return this.imports.accept(user, { filename: part.filename, buffer }, legacy);
  }

  @Get('imports')
  @ApiOkResponse({ type: ImportPageView })
  @ApiOperation({ summary: '本人的导入任务，最新在前' })
  mine(@CurrentUser() user: AuthUser, @Query() query: PageQuery) {
    return this.imports.mine(user, query);
  }

  @Get('imports/:id')
  @ApiOkResponse({ type: ImportView })
  @ApiOperation({ summary: '导入进度与逐行错误' })
  status(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.imports.status(user, id);
  }
}

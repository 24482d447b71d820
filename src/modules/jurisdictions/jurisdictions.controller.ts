import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { JurisdictionDetailView, JurisdictionPageView } from './jurisdictions.dto';
import { Errors } from '@/common/errors';
import { CollectorMayCall } from '@/common/auth.decorators';
import { JurisdictionQuery } from './jurisdictions.dto';
import { JurisdictionsService } from './jurisdictions.service';

@ApiTags('jurisdictions')
@ApiBearerAuth()
// The phone's place picker (户籍地 below county when online, 现居住地 in the collector's subtree).
@CollectorMayCall()
@Controller('jurisdictions')
export class JurisdictionsController {
  constructor(private readonly jurisdictions: JurisdictionsService) {}

  @Get()
  @ApiOkResponse({ type: JurisdictionPageView })
  @ApiOperation({ summary: '下级区划（?parent=）或按名称搜索（?q=，前 50 条；&near= 代码以其开头的排在前面）' })
  async list(@Query() query: JurisdictionQuery) {
    if (query.parent && query.q) {
      throw Errors.validation([{ field: 'q', message: '不能与 parent 同时使用' }]);
    }
    if (query.near && !query.q) throw Errors.validation([{ field: 'near', message: '只能与 q 同时使用' }]);
    if (query.parent) {
      const items = await this.jurisdictions.withFullNames(await this.jurisdictions.children(query.parent));
      return { items, total: items.length, page: 1, pageSize: items.length };
    }
    if (query.q) {
      const items = await this.jurisdictions.search(query.q, query.near);
      return { items, total: items.length, page: 1, pageSize: items.length };
    }
    throw Errors.validation([{ field: 'parent', message: '请提供 parent（上级区划代码）或 q（名称）' }]);
  }

  @Get(':code')
  @ApiOkResponse({ type: JurisdictionDetailView })
  @ApiOperation({ summary: '区划详情及完整路径' })
  detail(@Param('code') code: string) {
    return this.jurisdictions.detail(code);
  }
}

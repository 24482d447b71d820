import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutflowPageView, OutflowView } from './outflows.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CloseOutflowDto, CreateOutflowDto, OutflowQuery } from './outflows.dto';
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

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPageView } from './audit.dto';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { AuditQuery } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: AuditPageView })
  @ApiOperation({ summary: '审计日志：本辖区账号读取或修改了什么（管理员）' })
  list(@CurrentUser() user: AuthUser, @Query() query: AuditQuery) {
    return this.audit.list(user, query);
  }
}

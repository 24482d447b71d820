import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@/common/auth.decorators';
import { AuthUser, CurrentUser } from '@/common/scope';
import { WorklistView } from './worklist.dto';
import { WorklistService } from './worklist.service';

@ApiTags('worklist')
@ApiBearerAuth()
@Controller('worklist')
export class WorklistController {
  constructor(private readonly worklist: WorklistService) {}

  @Get()
  @Roles('staff')
  @ApiOkResponse({ type: WorklistView })
  @ApiOperation({ summary: '待办：本人需要办理的事项，最紧急的在前（最多 100 项）' })
  list(@CurrentUser() user: AuthUser) {
    return this.worklist.list(user);
  }
}

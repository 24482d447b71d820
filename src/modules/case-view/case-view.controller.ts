import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CaseView } from './case-view.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { CaseViewService } from './case-view.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CaseViewService) {}

  @Get(':id')
  @ApiOkResponse({ type: CaseView })
  @ApiOperation({ summary: '个案：流入与流出登记及双方往来（双方工作人员可见）' })
  view(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.cases.view(user, id);
  }
}

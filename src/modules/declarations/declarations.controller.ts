import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@/common/auth.decorators';
import { Errors } from '@/common/errors';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { InflowView } from '@/modules/inflows/inflows.dto';
import { CreateDeclarationDto, DeclarationChangesDto, DeclarationPageView, DeclarationQuery, DeclarationView, ReturnDeclarationDto } from './declarations.dto';
import { DeclarationsService } from './declarations.service';

@ApiTags('declarations')
@ApiBearerAuth()
@Controller('declarations')
export class DeclarationsController {
  constructor(private readonly declarations: DeclarationsService) {}

  @Post()
  @Roles('collector')
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '每条采集一个键（手机上保存时生成），重发时不变：只登记一次' })
  @ApiCreatedResponse({ type: DeclarationView })
  @ApiOperation({ summary: '网格员上传采集信息（与流入登记相同的校验；户籍地可到县级）' })
  create(@CurrentUser() user: AuthUser, @Headers('idempotency-key') key: string | undefined, @Body() dto: CreateDeclarationDto) {
    // The phone resends what it could not confirm: without a key a resend would be a second declaration.
    if (!key) throw Errors.validation([{ field: 'Idempotency-Key', message: '上传采集信息须带 Idempotency-Key' }]);
    return this.declarations.create(user, dto);
  }

  @Get()
  @Roles('collector', 'staff')
  @ApiOkResponse({ type: DeclarationPageView })
  @ApiOperation({ summary: '采集信息：网格员看本人的；工作人员看现居住地在本辖区的' })
  list(@CurrentUser() user: AuthUser, @Query() query: DeclarationQuery) {
    return this.declarations.list(user, query);
  }

  @Patch(':id')
  @Roles('collector')
  @ApiOkResponse({ type: DeclarationView })
  @ApiOperation({ summary: '网格员更正本人待审核或已退回的采集信息（重新待审核）' })
  update(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: DeclarationChangesDto) {
    return this.declarations.update(user, id, dto);
  }

  @Post(':id/withdraw')
  @Roles('collector')
  @HttpCode(200)
  @ApiOkResponse({ type: DeclarationView })
  @ApiOperation({ summary: '网格员撤回本人未通过的采集信息' })
  withdraw(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.declarations.withdraw(user, id);
  }

  @Post(':id/accept')
  @Roles('staff')
  @ApiCreatedResponse({ type: InflowView })
  @ApiOperation({ summary: '通过：以本人名义登记并提交流入登记（可附更正，如把户籍地补全到乡镇）' })
  accept(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: DeclarationChangesDto) {
    return this.declarations.accept(user, id, dto);
  }

  @Post(':id/return')
  @Roles('staff')
  @HttpCode(200)
  @ApiOkResponse({ type: DeclarationView })
  @ApiOperation({ summary: '退回（附退回原因），网格员可更正后重新上传' })
  return(@CurrentUser() user: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: ReturnDeclarationDto) {
    return this.declarations.return(user, id, dto.reason);
  }
}

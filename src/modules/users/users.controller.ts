import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserPageView, UserView } from './users.dto';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { Roles } from '@/common/auth.decorators';
import { CreateUserDto, UpdateUserDto, UserQuery } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiCreatedResponse({ type: UserView })
  @ApiOperation({ summary: '创建账号（管理员，仅限本辖区）' })
  create(@CurrentUser() admin: AuthUser, @Body() dto: CreateUserDto) {
    return this.users.create(admin, dto);
  }

  @Get()
  @ApiOkResponse({ type: UserPageView })
  @ApiOperation({ summary: '本辖区的账号列表' })
  list(@CurrentUser() admin: AuthUser, @Query() query: UserQuery) {
    return this.users.list(admin, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: UserView })
  get(@CurrentUser() admin: AuthUser, @Param('id', UuidPipe()) id: string) {
    return this.users.get(admin, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserView })
  @ApiOperation({ summary: '修改显示名称、角色、启用状态或密码' })
  update(@CurrentUser() admin: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(admin, id, dto);
  }
}

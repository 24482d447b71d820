import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginView } from './auth.dto';
import { UserView } from '@/modules/users/users.dto';
import { NoStoredAnswer } from '@/common/idempotency.interceptor';
import { AuthUser, CurrentUser } from '@/common/scope';
import { toUserResponse, UsersService } from '@/modules/users/users.service';
import { CollectorMayCall, Public } from '@/common/auth.decorators';
import { LoginDto } from './auth.dto';
import { AuthService } from './auth.service';
import { LoginThrottlerGuard } from './login-throttler.guard';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('auth/login')
  @ApiOkResponse({ type: LoginView })
  @Public()
  @NoStoredAnswer()
  @UseGuards(LoginThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({ summary: '登录，返回访问令牌' })
  login(@Body() dto: LoginDto) {
    return this.auth.login(dto.username, dto.password);
  }

  @Get('me')
  @CollectorMayCall()
  @ApiOkResponse({ type: UserView })
  @ApiBearerAuth()
  @ApiOperation({ summary: '当前账号' })
  async me(@CurrentUser() user: AuthUser) {
    return toUserResponse(await this.users.load(user.id));
  }
}

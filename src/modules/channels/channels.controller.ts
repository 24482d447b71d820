import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, SupervisorMayWrite } from '@/common/auth.decorators';
import { UuidPipe } from '@/common/pipes';
import { AuthUser, CurrentUser } from '@/common/scope';
import { ChannelsDto, ChannelsView, ChannelTestView } from './channels.dto';
import { ChannelsService } from './channels.service';

@ApiTags('channels')
@ApiBearerAuth()
@Controller()
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get('me/channels')
  @ApiOkResponse({ type: ChannelsView })
  @ApiOperation({ summary: '本人的消息接收渠道（企业微信、钉钉、邮箱、Webhook；不显示密钥）' })
  mine(@CurrentUser() user: AuthUser): Promise<ChannelsView> {
    return this.channels.view(user.id);
  }

  @Put('me/channels')
  @SupervisorMayWrite()
  @ApiOkResponse({ type: ChannelsView })
  @ApiOperation({ summary: '设置本人的接收渠道：未给出的保持不变，null 为删除' })
  setMine(@CurrentUser() user: AuthUser, @Body() dto: ChannelsDto): Promise<ChannelsView> {
    return this.channels.set(user, user.id, dto);
  }

  @Post('me/channels/test')
  @HttpCode(200)
  @SupervisorMayWrite()
  @ApiOkResponse({ type: ChannelTestView })
  @ApiOperation({ summary: '发送测试消息：向每个已设置的渠道各发一条，逐一报告结果' })
  test(@CurrentUser() user: AuthUser): Promise<ChannelTestView> {
    return this.channels.test(user.id);
  }

  @Put('users/:id/channels')
  @Roles('admin')
  @ApiOkResponse({ type: ChannelsView })
  @ApiOperation({ summary: '管理员设置本辖区内用户的接收渠道（不能设置本级其他管理员的）' })
  setFor(@CurrentUser() admin: AuthUser, @Param('id', UuidPipe()) id: string, @Body() dto: ChannelsDto): Promise<ChannelsView> {
    return this.channels.setFor(admin, id, dto);
  }
}

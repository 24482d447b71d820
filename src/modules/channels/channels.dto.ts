import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { nullable } from '@/common/api-views';

// PUT /api/me/channels (and an admin's PUT /api/users/:id/channels): a key left out stays as it was, null removes
// that channel (reminders.md "Channels").

class UrlChannelDto {
  @ApiProperty({ example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…' })
  @IsString({ message: '必须是网址' })
  @MaxLength(500, { message: '不能超过 500 个字符' })
  url: string;
}

class SignedChannelDto extends UrlChannelDto {
  @ApiProperty({ description: '签名密钥（钉钉机器人的“加签”密钥；Webhook 的 HMAC 密钥）' })
  @IsString({ message: '必须是文本' })
  @MinLength(8, { message: '至少 8 个字符' })
  @MaxLength(200, { message: '不能超过 200 个字符' })
  secret: string;
}

class EmailChannelDto {
  @ApiProperty({ example: 'clerk@example.gov.cn' })
  @IsEmail({}, { message: '不是有效的邮箱地址' })
  @MaxLength(200, { message: '不能超过 200 个字符' })
  address: string;
}

const present = (_: unknown, value: unknown) => value !== null && value !== undefined;

export class ChannelsDto {
  @ApiPropertyOptional({ type: UrlChannelDto, nullable: true, description: '企业微信群机器人' })
  @IsOptional()
  @ValidateIf(present)
  @ValidateNested()
  @Type(() => UrlChannelDto)
  wecom?: UrlChannelDto | null;

  @ApiPropertyOptional({ type: SignedChannelDto, nullable: true, description: '钉钉群机器人（加签）' })
  @IsOptional()
  @ValidateIf(present)
  @ValidateNested()
  @Type(() => SignedChannelDto)
  dingtalk?: SignedChannelDto | null;

  @ApiPropertyOptional({ type: EmailChannelDto, nullable: true, description: '邮箱（经 SMTP_URL 发送）' })
  @IsOptional()
  @ValidateIf(present)
  @ValidateNested()
  @Type(() => EmailChannelDto)
  email?: EmailChannelDto | null;

  @ApiPropertyOptional({ type: SignedChannelDto, nullable: true, description: '任意 https 接口（短信网关、OA 等），带 HMAC 签名' })
  @IsOptional()
  @ValidateIf(present)
  @ValidateNested()
  @Type(() => SignedChannelDto)
  webhook?: SignedChannelDto | null;
}

class ChannelStateView {
  @ApiProperty({ type: String, ...nullable, description: '最近一次发送失败的原因（成功后清空）' }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) lastSentAt: string | null;
}

export class UrlChannelView extends ChannelStateView {
  @ApiProperty() url: string;
}

export class SignedChannelView extends UrlChannelView {
  @ApiProperty({ example: '****', description: '不显示密钥' }) secret: string;
}

export class EmailChannelView extends ChannelStateView {
  @ApiProperty() address: string;
}

export class ChannelsView {
  @ApiProperty({ type: UrlChannelView, ...nullable }) wecom: UrlChannelView | null;
  @ApiProperty({ type: SignedChannelView, ...nullable }) dingtalk: SignedChannelView | null;
  @ApiProperty({ type: EmailChannelView, ...nullable }) email: EmailChannelView | null;
  @ApiProperty({ type: SignedChannelView, ...nullable }) webhook: SignedChannelView | null;
}

export class ChannelTestResultView {
  @ApiProperty({ enum: ['wecom', 'dingtalk', 'email', 'webhook'] }) channel: 'wecom' | 'dingtalk' | 'email' | 'webhook';
  @ApiProperty() ok: boolean;
  @ApiProperty({ type: String, ...nullable }) error: string | null;
}

export class ChannelTestView {
  @ApiProperty({ type: [ChannelTestResultView], description: '每个已设置渠道的结果；未设置任何渠道时为空' }) results: ChannelTestResultView[];
}

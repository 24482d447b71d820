import { IsOptionalField } from '@/common/dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { nullable, PageView } from '@/common/api-views';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'inflow' })
  @IsOptionalField()
  @IsString()
  @Matches(/^[a-z_]{1,32}$/)
  entity?: string;

  @ApiPropertyOptional()
  @IsOptionalField()
  @IsString()
  @MaxLength(64)
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalField()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ example: 'read' })
  @IsOptionalField()
  @IsString()
  @Matches(/^[a-z_]{1,32}$/)
  action?: string;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00+08:00' })
  @IsOptionalField()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30T23:59:59+08:00' })
  @IsOptionalField()
  @IsISO8601({ strict: true })
  to?: string;
}

// What the API answers (the OpenAPI document the console is typed from).

export class AuditLogView {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, ...nullable, format: 'uuid' }) userId: string | null;
  @ApiProperty({ type: String, ...nullable }) username: string | null;
  @ApiProperty({ type: String, ...nullable, example: '杨寨镇计生办 王芳' }) displayName: string | null;
  @ApiProperty({ example: 'read', description: 'read、create、update、login、login_failed、lookup、list…' }) action: string;
  @ApiProperty({ example: 'inflow' }) entity: string;
  @ApiProperty({ type: String, ...nullable }) entityId: string | null;
  @ApiProperty({ type: String, ...nullable, example: '王*（421381********123X）', description: '记录涉及的人（姓名、身份证号已遮蔽）或账号' })
  subject: string | null;
  @ApiProperty({ type: String, ...nullable }) jurisdictionCode: string | null;
  @ApiProperty({ type: String, ...nullable, description: '来源地址' }) ip: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, ...nullable }) detail: Record<string, unknown> | null;
}

export const AuditPageView = PageView(AuditLogView, 'AuditPageView');

import { IsOneOf, IsOptionalField, IsText } from '@/common/dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { Role, ROLES } from '@/common/scope';
import { valuesOf } from '@/common/labels';
import { PageView } from '@/common/api-views';
import { JurisdictionRefView } from '@/modules/jurisdictions/jurisdictions.dto';

const USERNAME = /^[A-Za-z0-9_.-]{3,64}$/;
const CODE = /^\d{12}$/;

export class CreateUserDto {
  @ApiProperty({ example: 'yangzhai01', description: '3–64 位字母、数字、"."、"_"、"-"' })
  @IsString()
  @Matches(USERNAME, { message: '用户名须为 3–64 位字母、数字、"."、"_" 或 "-"' })
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MinLength(8, { message: '密码至少 8 位' })
  @MaxLength(128)
  password: string;

  @ApiProperty({ example: '杨寨镇计生办 王芳' })
  @IsText(100)
  displayName: string;

  @ApiPropertyOptional({ example: '0722-6221234', description: '联系电话（手机或座机），对方办理信息时可见；空字符串表示清除' })
  @IsOptionalField()
  @IsString()
  @Matches(/^$|^[0-9+\-\s()]{7,20}$/, { message: '请填写正确的联系电话（手机或座机，如 0722-6221234）' })
  phone?: string;

  @ApiProperty({ enum: ROLES })
  @IsOneOf('role', '角色')
  role: Role;

  @ApiProperty({ example: '421381101000' })
  @IsString()
  @Matches(CODE, { message: '必须是 12 位行政区划代码' })
  jurisdictionCode: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptionalField()
  @IsText(100)
  displayName?: string;

  @ApiPropertyOptional({ example: '0722-6221234', description: '联系电话（手机或座机），对方办理信息时可见；空字符串表示清除' })
  @IsOptionalField()
  @IsString()
  @Matches(/^$|^[0-9+\-\s()]{7,20}$/, { message: '请填写正确的联系电话（手机或座机，如 0722-6221234）' })
  phone?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptionalField()
  @IsOneOf('role', '角色')
  role?: Role;

  @ApiPropertyOptional()
  @IsOptionalField()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ minLength: 8, maxLength: 128 })
  @IsOptionalField()
  @IsString()
  @MinLength(8, { message: '密码至少 8 位' })
  @MaxLength(128)
  password?: string;
}

export class UserQuery extends PageQuery {
  @ApiPropertyOptional({ description: '用户名或显示名称包含' })
  @IsOptionalField()
  @IsString()
  @MaxLength(64)
  q?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptionalField()
  @IsOneOf('role', '角色')
  role?: Role;
}

// What the API answers (the OpenAPI document the console is typed from).

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ type: String, nullable: true, description: '联系电话' }) phone: string | null;
  @ApiProperty({ enum: valuesOf('role') }) role: Role;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: JurisdictionRefView }) jurisdiction: JurisdictionRefView;
}

export const UserPageView = PageView(UserView, 'UserPageView');

import { IsOptionalField } from '@/common/dto';
import type { JurisdictionLevel } from '@/common/division-code';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { valuesOf } from '@/common/labels';
import { nullable, PageView } from '@/common/api-views';

export class JurisdictionQuery {
  @ApiPropertyOptional({ description: '上级区划代码（12 位）：列出其下级', example: '421381000000' })
  @IsOptionalField()
  @Matches(/^\d{12}$/, { message: '必须是 12 位行政区划代码' })
  parent?: string;

  @ApiPropertyOptional({ description: '按名称搜索（前 50 条）', example: '广水' })
  @IsOptionalField()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  q?: string;

  @ApiPropertyOptional({
    description: '与 q 同用：代码以此开头的地方排在前面（如公民身份号码的前 6 位地址码 421381）',
    example: '421381',
  })
  @IsOptionalField()
  @Matches(/^\d{2,12}$/, { message: '须为 2 至 12 位数字（行政区划代码的开头）' })
  near?: string;
}

// What the API answers (the OpenAPI document the console is typed from).

export class JurisdictionRefView {
  @ApiProperty({ example: '421381101000' }) code: string;
  @ApiProperty({ example: '杨寨镇' }) name: string;
  @ApiProperty({ enum: valuesOf('level') }) level: JurisdictionLevel;
}

export class JurisdictionDetailView extends JurisdictionRefView {
  @ApiProperty({ type: String, ...nullable }) parentCode: string | null;
  @ApiProperty({ type: [JurisdictionRefView], description: '从全国到本级' }) path: JurisdictionRefView[];
}

export class JurisdictionListItemView extends JurisdictionRefView {
  @ApiProperty({ type: String, ...nullable }) parentCode: string | null;
  @ApiProperty({ example: '湖北省随州市广水市杨寨镇' }) fullName: string;
}

export const JurisdictionPageView = PageView(JurisdictionListItemView, 'JurisdictionPageView');

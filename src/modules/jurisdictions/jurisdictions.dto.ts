import { IsOptionalField } from '@/common/dto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

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
}

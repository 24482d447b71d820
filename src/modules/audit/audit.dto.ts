import { IsOptionalField } from '@/common/dto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '@/common/pagination';

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

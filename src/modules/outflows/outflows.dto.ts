import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { IsDateOnly, IsDivisionCode, IsOneOf, IsOptionalField, PersonRefDto } from '@/common/dto';
import { PageQuery } from '@/common/pagination';
import { OUTFLOW_STATUSES, OutflowStatus } from './outflow.entity';

export class CreateOutflowDto {
  @ApiProperty({ type: PersonRefDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PersonRefDto)
  person: PersonRefDto;

  @ApiProperty({ example: '421381101201', description: '户籍地（本辖区内的乡镇或村级代码）' })
  @IsDivisionCode()
  householdCode: string;

  @ApiProperty({ example: '2026-10-20' })
  @IsDateOnly()
  departureDate: string;

  @ApiPropertyOptional({
    example: '330802005001',
    description: '预计去向：省级及以下任一级的代码；乡镇或村级时向其发出流出通报，更粗时不通报，待此人在该地登记后自动关联',
  })
  @IsOptionalField()
  @IsDivisionCode()
  expectedDestinationCode?: string;
}

export class CloseOutflowDto {
  @ApiProperty({ enum: ['returned', 'deregistered'] })
  @IsOneOf('outflowCloseKind', '注销类型')
  kind: 'returned' | 'deregistered';

  @ApiProperty({ example: '2026-12-20' })
  @IsDateOnly()
  date: string;
}

export class OutflowQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTFLOW_STATUSES })
  @IsOptionalField()
  @IsOneOf('outflowStatus', '状态')
  status?: OutflowStatus;

  @ApiPropertyOptional({ enum: ['effective', 'none'], description: '是否已与现居住地建立有效联系' })
  @IsOptionalField()
  @IsOneOf('contact', '联系状态')
  contact?: 'effective' | 'none';
}

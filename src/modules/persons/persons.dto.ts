import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { valuesOf } from '@/common/labels';
import { nullable } from '@/common/api-views';

export class PersonRefView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '421381********0026', description: '列表中为脱敏号码；详情中为完整号码（审计）' }) idNumber: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ example: 36, description: '周岁（不给出生日期：与脱敏号码并列即可还原完整号码）' }) age: number;
  @ApiPropertyOptional({ example: '1990-03-07', description: '仅在完整记录中（两端工作人员，记录审计）' }) birthDate?: string;
}

export class PersonCaseView {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ type: String, ...nullable }) destinationCode: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, ...nullable, example: '2026-11-02' }) arrivalDate: string | null;
}

export class PersonDetailView extends PersonRefView {
  @ApiProperty({ type: String, ...nullable }) householdCode: string | null;
  @ApiProperty({ type: [PersonCaseView] }) cases: PersonCaseView[];
}

export class SpouseView {
  @ApiProperty() name: string;
  @ApiProperty({ description: '列表中脱敏' }) idNumber: string;
}

export class ChildView {
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ example: '2018-05-01' }) birthDate: string;
}

import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsISO8601, IsString } from 'class-validator';
import { IsOneOf, IsOptionalField, IsText } from '@/common/dto';
import { nullable, PageView } from '@/common/api-views';
import { valuesOf } from '@/common/labels';
import { PageQuery } from '@/common/pagination';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';
import type { Inflow } from '@/modules/inflows/inflow.entity';
import { ChildView, SpouseView } from '@/modules/persons/persons.dto';

export const DECLARATION_STATUSES = valuesOf('declarationStatus');
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

/** A registration's fields as 流入登记 takes them (one set of rules and messages), without `submit`. */
export class DeclarationFormDto extends OmitType(CreateInflowDto, ['submit'] as const) {}

/** POST /api/declarations: the form, and when the grid worker filled it in on the phone. */
export class CreateDeclarationDto extends DeclarationFormDto {
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:30:00+08:00', description: '在手机上填写的时间（不晚于现在，最早 30 天前）' })
  @IsString({ message: '必须是时间（ISO 8601）' })
  @IsISO8601({ strict: true }, { message: '必须是时间（ISO 8601）' })
  collectedAt: string;
}

/** PATCH by its grid worker, and the clerk's corrections on 通过: any of the form's fields, each checked as in 流入登记. */
export class DeclarationChangesDto extends PartialType(DeclarationFormDto) {}

export class ReturnDeclarationDto {
  @ApiProperty({ example: '户籍地不详，请核实到乡镇', description: '退回原因' })
  @IsText(200)
  reason: string;
}

export class DeclarationQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DECLARATION_STATUSES })
  @IsOptionalField()
  @IsOneOf('declarationStatus', '状态')
  status?: DeclarationStatus;
}

// What the API answers.

export class DeclarationCollectorView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '柯城网格员' }) displayName: string;
}

export class DeclarationPersonView {
  @ApiProperty({ example: '421381********0026', description: '脱敏' }) idNumber: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: valuesOf('sex') }) sex: 'male' | 'female';
  @ApiProperty({ example: 36, description: '周岁' }) age: number;
  @ApiProperty({ type: String, ...nullable }) phone: string | null;
}

export class DeclarationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: DECLARATION_STATUSES }) status: DeclarationStatus;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ format: 'date-time', description: '最近一次成为待审核的时间（更正后重新计起）' }) pendingSince: string;
  @ApiProperty({ type: DeclarationCollectorView }) collector: DeclarationCollectorView;
  @ApiProperty({ type: DeclarationPersonView }) person: DeclarationPersonView;
  @ApiProperty() householdCode: string;
  @ApiProperty() destinationCode: string;
  @ApiProperty() address: string;
  @ApiProperty({ example: '2026-11-02' }) arrivalDate: string;
  @ApiProperty({ enum: valuesOf('reason') }) reason: Inflow['reason'];
  @ApiProperty({ enum: valuesOf('maritalStatus') }) maritalStatus: Inflow['maritalStatus'];
  @ApiProperty({ type: SpouseView, ...nullable }) spouse: SpouseView | null;
  @ApiProperty({ type: [ChildView] }) children: ChildView[];
  @ApiProperty({ enum: valuesOf('contraception') }) contraception: Inflow['contraception'];
  @ApiProperty() pregnant: boolean;
  @ApiProperty({ type: String, ...nullable }) certificateNumber: string | null;
  @ApiProperty() undertaking: boolean;
  @ApiProperty({ type: String, ...nullable, description: '退回原因' }) returnReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', ...nullable }) reviewedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', ...nullable, description: '通过后登记的流入登记' }) inflowId: string | null;
}

export const DeclarationPageView = PageView(DeclarationView, 'DeclarationPageView');

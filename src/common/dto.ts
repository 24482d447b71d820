import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIdentityCard, IsIn, IsISO8601, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { normaliseIdNumber } from './identity';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^\d{12}$/;

/**
 * May be left out, but not sent as null: class-validator's IsOptional also waves null through, and a null would then
 * reach a NOT NULL column. Fields that may really be cleared say so with IsOptional and `| null`.
 */
export function IsOptionalField(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** Free text that must say something: surrounding blanks are trimmed, and nothing left is refused. */
export function IsText(maxLength: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString({ message: '必须是文本' }),
    MinLength(1, { message: '不能为空' }),
    MaxLength(maxLength, { message: `不能超过 ${maxLength} 个字符` }),
  );
}

/** A calendar date YYYY-MM-DD that exists (no 2026-02-30). */
export function IsDateOnly(): PropertyDecorator {
  return applyDecorators(
    IsString({ message: '必须是日期（YYYY-MM-DD）' }),
    Matches(DATE_ONLY, { message: '必须是日期（YYYY-MM-DD）' }),
    IsISO8601({ strict: true }, { message: '不是有效的日期' }),
  );
}

/** A 12-digit division code. */
export function IsDivisionCode(): PropertyDecorator {
  return applyDecorators(IsString({ message: '必须是 12 位行政区划代码' }), Matches(CODE, { message: '必须是 12 位行政区划代码' }));
}

/** A 公民身份号码: check digit, province and birth date checked; lower-case x accepted as X. */
export function IsIdNumber(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => normaliseIdNumber(value)),
    IsString({ message: '公民身份号码必须是 18 位文本' }),
    IsIdentityCard('zh-CN'),
  );
}

/** A person's name as written on the ID card. */
export function IsPersonName(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    MinLength(1, { message: '不能为空' }),
    MaxLength(50),
    Matches(/^[^\u0000-\u001f<>]+$/u, { message: '含有不允许的字符' }),
  );
}

export class PersonRefDto {
  @ApiProperty({ example: '421381199003070026' })
  @IsIdNumber()
  idNumber: string;

  @ApiProperty({ example: '张三' })
  @IsPersonName()
  name: string;
}

export class SpouseDto extends PersonRefDto {}

export class ChildDto {
  @ApiProperty({ enum: ['male', 'female'] })
  @IsIn(['male', 'female'])
  sex: 'male' | 'female';

  @ApiProperty({ example: '2018-05-01' })
  @IsDateOnly()
  birthDate: string;
}



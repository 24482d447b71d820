import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  isIdentityCard,
  IsISO8601,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { normaliseIdNumber } from './identity';
import { allowedMessage, LabelSet, valuesOf } from './labels';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^\d{12}$/;

/**
 * May be left out, but not sent as null: class-validator's IsOptional also waves null through, and a null would then
 * reach a NOT NULL column. Fields that may really be cleared say so with IsOptional and `| null`.
 */
export function IsOptionalField(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** A query string's `true` / `false` as a boolean (anything else is left for IsBoolean to refuse). */
export const booleanFromQuery = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

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

/**
 * What is wrong with a 公民身份号码, or null when it is valid: 18 characters (a first-generation 15-digit number is
 * refused with its own message), check character, province and birth date. Lower-case x is read as X.
 */
export function idNumberProblem(value: unknown): string | null {
  if (typeof value !== 'string') return '必须是文本';
  const id = String(normaliseIdNumber(value));
  if (id === '') return '不能为空';
  if (/^\d{15}$/.test(id)) return '请填写 18 位公民身份号码';
  if (id.length !== 18) return '公民身份号码应为 18 位';
  if (!isIdentityCard(id, 'zh-CN')) return '公民身份号码无效（校验位、地区码或出生日期不正确）';
  return null;
}

/** A 公民身份号码 (see idNumberProblem); lower-case x accepted as X. */
export function IsIdNumber(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => normaliseIdNumber(value)),
    ValidateBy({
      name: 'isIdNumber',
      validator: {
        validate: (value) => idNumberProblem(value) === null,
        defaultMessage: (args) => idNumberProblem(args?.value) ?? '公民身份号码无效',
      },
    }),
  );
}

/**
 * One of an enum's values; the refusal names the allowed values by their Chinese labels
 * (`婚姻状况须为：未婚、初婚、再婚、离婚、丧偶`). `values` narrows the set where a field accepts only some of them.
 */
export function IsOneOf(set: LabelSet, fieldName: string, values: readonly string[] = valuesOf(set)): PropertyDecorator {
  return IsIn([...values], { message: allowedMessage(fieldName, set, values) });
}

/** A person's name as written on the ID card. */
/** Control and format characters (bidi overrides, zero-width marks), which make a name read otherwise than it is stored. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** A cell starting with one of these is a formula to a spreadsheet (=HYPERLINK(…) as a name). */
const FORMULA_START = /^[=+\-@]/;

/** Why a name is refused, or null: what a clerk can fix by retyping it. */
export function personNameProblem(value: string): string | null {
  if (INVISIBLE.test(value)) return '含有不可见字符或控制字符（如从网页复制时带入的格式符），请重新输入';
  if (FORMULA_START.test(value)) return '不能以 =、+、-、@ 开头';
  if (/[<>]/.test(value)) return '含有不允许的字符';
  return null;
}

export function IsPersonName(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString({ message: '必须是文本' }),
    MinLength(1, { message: '不能为空' }),
    MaxLength(50, { message: '不能超过 50 个字符' }),
    ValidateBy({
      name: 'personName',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && personNameProblem(value) === null,
        defaultMessage: (args) => personNameProblem(String(args?.value ?? '')) ?? '含有不允许的字符',
      },
    }),
  );
}

/** A list of children: each item an object (性别, 出生日期), never a nested list. */
export function IsChildren(): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMaxSize(20),
    IsObject({ each: true, message: '每一项须为一名子女的性别和出生日期' }),
    ValidateNested({ each: true }),
    Type(() => ChildDto),
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
  @IsOneOf('sex', '性别')
  sex: 'male' | 'female';

  @ApiProperty({ example: '2018-05-01' })
  @IsDateOnly()
  birthDate: string;
}

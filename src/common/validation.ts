import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail, Errors } from './errors';

// class-validator speaks English; people using this service read Chinese. Messages are keyed by
// constraint name so every DTO gets them without repeating `message:` on each decorator; a bound
// (20 items, 50 characters) is read from class-validator's own message.
const MESSAGES: Record<string, (bound: string) => string> = {
  whitelistValidation: () => '不允许的字段',
  isDefined: () => '不能为空',
  isNotEmpty: () => '不能为空',
  isString: () => '必须是文本',
  isBoolean: () => '必须是 true 或 false',
  isInt: () => '必须是整数',
  isNumber: () => '必须是数字',
  isArray: () => '必须是数组',
  isObject: () => '必须是对象',
  nestedValidation: () => '必须是对象',
  isEnum: () => '取值不在允许范围内',
  isIn: () => '取值不在允许范围内',
  isUuid: () => '必须是有效的编号（UUID）',
  isUUID: () => '必须是有效的编号（UUID）',
  isDateString: () => '必须是有效日期',
  isISO8601: () => '必须是有效的日期或时间（ISO-8601）',
  isMobilePhone: () => '手机号码无效',
  matches: () => '格式不正确',
  min: (n) => `不能小于 ${n}`,
  max: (n) => `不能大于 ${n}`,
  minLength: (n) => `至少 ${n} 个字符`,
  maxLength: (n) => `不能超过 ${n} 个字符`,
  length: () => '长度不正确',
  arrayMaxSize: (n) => `最多 ${n} 项`,
  arrayMinSize: (n) => `至少 ${n} 项`,
};

// What a field is comes before what is wrong with its value: `children: "none"` must say 必须是数组, not 条目过多.
const TYPE_CONSTRAINTS = ['whitelistValidation', 'isDefined', 'isString', 'isArray', 'isInt', 'isNumber', 'isBoolean', 'isObject', 'nestedValidation'];

const CHINESE = /[\u4e00-\u9fff]/;

function messageFor(constraint: string, english: string): string {
  // A decorator (or a custom validator) may already carry a Chinese message.
  if (CHINESE.test(english)) return english;
  const make = MESSAGES[constraint];
  if (!make) return '格式不正确';
  return make(/(-?\d+(?:\.\d+)?)/.exec(english)?.[1] ?? '');
}

/** The one constraint to report for a field: a value left out is 不能为空, then a wrong type, then the first rule broken. */
function firstConstraint(error: ValidationError): [string, string] | undefined {
  const constraints = Object.entries(error.constraints ?? {});
  if (constraints.length === 0) return undefined;
  const whitelist = constraints.find(([name]) => name === 'whitelistValidation');
  if (whitelist) return whitelist;
  if (error.value === undefined || error.value === null) return ['isDefined', '不能为空'];
  for (const name of TYPE_CONSTRAINTS) {
    const found = constraints.find(([n]) => n === name);
    if (found) return found;
  }
  return constraints[0];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const constraint = firstConstraint(error);
    if (constraint) details.push({ field, message: messageFor(...constraint) });
    else if (error.children?.length) details.push(...flattenValidationErrors(error.children, field));
  }
  return details;
}

/** Keys that name JavaScript's object machinery; a class instance would hide them from the whitelist, so they are refused here. */
const MACHINERY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Paths of every machinery key at any depth of a parsed body or query. */
export function machineryKeys(value: unknown, parent = '', found: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return found;
  for (const key of Object.keys(value)) {
    const field = Array.isArray(value) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
    if (MACHINERY_KEYS.has(key)) found.push(field);
    else machineryKeys((value as Record<string, unknown>)[key], field, found);
  }
  return found;
}

/** A body DTO needs a JSON object: a missing body, `null`, an array or a bare value is refused, not read as `{}`. */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      metadata.metatype &&
      !BUILT_IN.has(metadata.metatype) &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw Errors.validation([{ field: 'body', message: '请求体须为 JSON 对象' }]);
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && metadata.metatype && !BUILT_IN.has(metadata.metatype)) {
      const refused = machineryKeys(value);
      if (refused.length > 0) throw Errors.validation(refused.map((field) => ({ field, message: '不允许的字段' })));
    }
    return super.transform(value, metadata);
  }
}

const BUILT_IN = new Set<unknown>([String, Number, Boolean, Object, Array]);

export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // Values are read to tell a missing field from a wrong one; they never leave the pipe (only field and message do).
    validationError: { target: false, value: true },
    exceptionFactory: (errors): AppError => Errors.validation(flattenValidationErrors(errors)),
  });
}

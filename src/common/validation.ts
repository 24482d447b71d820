import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail, Errors } from './errors';

// class-validator speaks English; people using this service read Chinese. Messages are keyed by
// constraint name so every DTO gets them without repeating `message:` on each decorator.
const MESSAGES: Record<string, (c: string) => string> = {
  whitelistValidation: () => '不允许的字段',
  isDefined: () => '必填',
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
  isIdentityCard: () => '公民身份号码无效（校验位、地区码或出生日期不正确）',
  isMobilePhone: () => '手机号码无效',
  matches: () => '格式不正确',
  min: () => '数值过小',
  max: () => '数值过大',
  minLength: () => '长度过短',
  maxLength: () => '长度过长',
  length: () => '长度不正确',
  arrayMaxSize: () => '条目过多',
  arrayMinSize: () => '条目过少',
};

function messageFor(constraint: string, english: string): string {
  const make = MESSAGES[constraint];
  // A custom validator may already carry a Chinese message.
  if (!make) return /[\u4e00-\u9fff]/.test(english) ? english : '格式不正确';
  return make(constraint);
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length > 0) {
      // One message per field: the first constraint that failed is the one to fix first.
      const [name, english] = constraints[0];
      const custom = /[\u4e00-\u9fff]/.test(english) ? english : undefined;
      details.push({ field, message: custom ?? messageFor(name, english) });
    }
    if (error.children?.length) details.push(...flattenValidationErrors(error.children, field));
  }
  return details;
}

/** A body DTO needs a JSON object: a missing body, `null`, an array or a bare value is refused, not read as `{}`. */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && !BUILT_IN.has(metadata.metatype) && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw Errors.validation([{ field: 'body', message: '请求体须为 JSON 对象' }]);
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
    validationError: { target: false, value: false },
    exceptionFactory: (errors): AppError => Errors.validation(flattenValidationErrors(errors)),
  });
}

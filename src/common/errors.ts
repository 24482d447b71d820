import { HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  message: string;
  [extra: string]: unknown;
}

/** An error lists at most this many fields (quality.md "Abuse"): enough to correct a form, never megabytes of answer. */
export const MAX_ERROR_DETAILS = 50;

/** A refusal the client should see as-is: a stable code, a Chinese message, the fields at fault (at most 50, the message says how many more). */
export class AppError extends Error {
  readonly details: ErrorDetail[];

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    details: ErrorDetail[] = [],
  ) {
    super(details.length > MAX_ERROR_DETAILS ? `${message}（共 ${details.length} 处，只列出前 ${MAX_ERROR_DETAILS} 处）` : message);
    this.name = 'AppError';
    this.details = details.length > MAX_ERROR_DETAILS ? details.slice(0, MAX_ERROR_DETAILS) : details;
  }
}

export const Errors = {
  validation: (details: ErrorDetail[]) => new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', '请求数据有误，请检查标出的字段', details),
  badRequest: (code: string, message: string, details: ErrorDetail[] = []) => new AppError(HttpStatus.BAD_REQUEST, code, message, details),
  unauthorized: (message = '未登录或登录已失效，请重新登录') => new AppError(HttpStatus.UNAUTHORIZED, 'UNAUTHORIZED', message),
  forbidden: (code = 'FORBIDDEN', message = '没有权限执行此操作') => new AppError(HttpStatus.FORBIDDEN, code, message),
  outOfJurisdiction: (field?: string) =>
    new AppError(HttpStatus.FORBIDDEN, 'OUT_OF_JURISDICTION', '超出本账号的管辖范围', field ? [{ field, message: '不在本账号的管辖范围内' }] : []),
  notFound: (what = '记录') => new AppError(HttpStatus.NOT_FOUND, 'NOT_FOUND', `${what}不存在或无权查看`),
  conflict: (code: string, message: string, details: ErrorDetail[] = []) => new AppError(HttpStatus.CONFLICT, code, message, details),
  unprocessable: (code: string, message: string, details: ErrorDetail[] = []) => new AppError(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details),
};

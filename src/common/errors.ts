import { HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  message: string;
  [extra: string]: unknown;
}

/** A refusal the client should see as-is: a stable code, a Chinese message, the fields at fault. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
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

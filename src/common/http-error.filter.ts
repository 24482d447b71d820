import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { AppError, ErrorDetail } from './errors';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details: ErrorDetail[];
}

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', '请求格式有误'],
  401: ['UNAUTHORIZED', '未登录或登录已失效，请重新登录'],
  403: ['FORBIDDEN', '没有权限执行此操作'],
  404: ['NOT_FOUND', '请求的资源不存在'],
  405: ['METHOD_NOT_ALLOWED', '不支持此请求方法'],
  406: ['NOT_ACCEPTABLE', '不支持请求的响应格式'],
  409: ['CONFLICT', '与现有数据冲突'],
  413: ['PAYLOAD_TOO_LARGE', '请求内容过大'],
  415: ['UNSUPPORTED_MEDIA_TYPE', '不支持的内容类型，请使用 application/json'],
  422: ['UNPROCESSABLE', '请求被业务规则拒绝'],
  429: ['TOO_MANY_REQUESTS', '请求过于频繁，请稍后再试'],
  503: ['SERVICE_UNAVAILABLE', '服务暂时不可用，请稍后重试'],
};

/** Maps anything thrown to the contract's error body. Client mistakes never become a 500. */
export function toErrorBody(error: unknown, logger?: Logger): ErrorBody {
  if (error instanceof AppError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof ThrottlerException) return fromStatus(429);
  if (error instanceof HttpException) {
    // Nest re-raises Fastify's own refusals (unparseable JSON, empty body, bad content type) as a bare
    // HttpException; every 400 the service raises itself is an AppError or a subclass.
    if (error.constructor === HttpException && error.getStatus() === 400) {
      return { statusCode: 400, code: 'MALFORMED_REQUEST', message: '请求体无法解析，须为有效的 JSON', details: [] };
    }
    return fromStatus(error.getStatus());
  }
  // A unique index caught a race the service's own check could not see.
  if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
    return { ...fromStatus(409), code: 'CONFLICT', details: [] };
  }
  // Safety net: input that passed validation but not the database (a NOT NULL column, a value out of range) is
  // still the client's, so 400 — naming the column where PostgreSQL says which. Validation should catch it first.
  if (error instanceof QueryFailedError) {
    const driver = error.driverError as { code?: string; column?: string };
    if (driver.code === '23502' || driver.code?.startsWith('22')) {
      logger?.warn({ err: safeError(error) }, 'invalid input reached the database');
      const field = driver.column ? driver.column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : 'body';
      return {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: '请求数据有误，请检查标出的字段',
        details: [{ field, message: driver.code === '23502' ? '不能为空' : '取值无效' }],
      };
    }
  }
  if (isUnavailable(error)) return fromStatus(503);
  if (isFastifyError(error)) {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return fromStatus(413);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return fromStatus(415);
    if (status >= 400 && status < 500) {
      const body = fromStatus(status);
      if (status === 400) return { ...body, code: 'MALFORMED_REQUEST', message: '请求体无法解析，须为有效的 JSON' };
      return body;
    }
  }
  logger?.error({ err: safeError(error) }, 'unhandled error');
  return { statusCode: 500, code: 'INTERNAL_ERROR', message: '服务器内部错误，请稍后重试', details: [] };
}

/** What may be logged of an error: never its query parameters or driver detail, which can hold personal data. */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  return { type: error.name, code: (error as { code?: unknown }).code, stack: error.stack };
}

function fromStatus(status: number): ErrorBody {
  const [code, message] = STATUS_CODES[status] ?? (status >= 500 ? ['INTERNAL_ERROR', '服务器内部错误'] : ['BAD_REQUEST', '请求有误']);
  return { statusCode: status, code, message, details: [] };
}

function isFastifyError(error: unknown): error is { code?: string; statusCode?: number } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    ((error as { code: string }).code.startsWith('FST_') || typeof (error as { statusCode?: unknown }).statusCode === 'number')
  );
}

const UNAVAILABLE_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError', 'MaxRetriesPerRequestError']);

// Messages of the drivers' errors when a dependency is down (ioredis, pg, PostgreSQL starting or stopping).
const UNAVAILABLE_MESSAGES = new RegExp(
  [
    'Connection is closed',
    'connect ECONNREFUSED',
    'Connection terminated',
    'timeout exceeded when trying to connect',
    "Stream isn't writeable",
    'the database system is',
  ].join('|'),
);

/**
 * PostgreSQL or Redis is down, restarting or out of connections: a temporary refusal (503), safe to retry.
 * SQLSTATE classes 08 (connection), 57P (shutdown, starting up) and 53300 (too many connections), socket errors,
 * and the errors TypeORM and the drivers raise when a connection died under a request.
 */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const codes = [(error as { code?: unknown }).code, ((error as { driverError?: { code?: unknown } }).driverError ?? {}).code];
  for (const code of codes) {
    if (typeof code !== 'string') continue;
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTCONN'].includes(code)) return true;
  }
  if (UNAVAILABLE_NAMES.has(error.name)) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = toErrorBody(error, this.logger);
    if (body.statusCode === Number(HttpStatus.SERVICE_UNAVAILABLE)) {
      this.logger.warn({ reqId: request?.id, err: safeError(error) }, 'dependency unavailable');
      void reply.header('Retry-After', '5');
    }
    void reply.status(body.statusCode).send(body);
  }
}

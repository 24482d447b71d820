import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { returningRows } from '@/database/sql';
import { Errors } from './errors';
import { IdCipher } from './id-cipher';
import type { AuthUser } from './scope';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
// A claim whose request never finished (the process died) may be taken over after this long.
const STALE_CLAIM_MS = 60_000;
const RETENTION = '24 hours';

/** JSON with sorted keys, so a retry that reorders fields is still the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const NO_STORED_ANSWER = 'liudong:noStoredAnswer';

/** The handler's answer is never stored nor replayed (a login: its answer is a token); an Idempotency-Key is ignored. */
export const NoStoredAnswer = () => SetMetadata(NO_STORED_ANSWER, true);

/**
 * `Idempotency-Key` on any POST of a signed-in caller, for every controller: the first successful response to a key is
 * stored (sealed) and replayed to each retry with the same body; the same key with another body is 409. Keys are per
 * caller. Before sign-in, and on handlers marked NoStoredAnswer, the key is ignored and the request processed as sent.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reflector: Reflector,
    private readonly cipher: IdCipher,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = request.headers['idempotency-key'];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    // A login re-sent with an old password must be checked again, never answered with the token the first one got.
    if (!request.user || this.reflector.get<boolean>(NO_STORED_ANSWER, context.getHandler())) return next.handle();
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw Errors.validation([{ field: 'Idempotency-Key', message: '须为 1–200 个可见 ASCII 字符' }]);
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const scope = request.user.id;
    const requestHash = this.cipher.requestHash(`${request.method} ${request.url.split('?')[0]}\n${canonical(request.body ?? null)}`);
    const statusCode = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    return from(this.run(scope, header, requestHash, statusCode, reply, next));
  }

  private async run(scope: string, key: string, requestHash: string, statusCode: number, reply: FastifyReply, next: CallHandler): Promise<unknown> {
    const claimed: unknown[] = await this.db.query(
      `INSERT INTO idempotency_key (scope, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [scope, key, requestHash],
    );
    if (claimed.length === 0) {
      const [row] = await this.db.query(`SELECT request_hash, status_code, response, created_at FROM idempotency_key WHERE scope = $1 AND key = $2`, [
        scope,
        key,
      ]);
      if (row.request_hash !== requestHash) {
        throw Errors.conflict('IDEMPOTENCY_KEY_REUSED', '此 Idempotency-Key 已用于另一个请求', [{ field: 'Idempotency-Key', message: '请求内容不同' }]);
      }
      if (row.status_code !== null) {
        void reply.status(row.status_code);
        void reply.header('Idempotent-Replayed', 'true');
        return JSON.parse(this.cipher.openAnswer(row.response as string)) as unknown;
      }
      const takenOver = await returningRows(
        this.db,
        `UPDATE idempotency_key SET created_at = now()
          WHERE scope = $1 AND key = $2 AND status_code IS NULL AND created_at < now() - $3 * interval '1 millisecond' RETURNING 1`,
        [scope, key, STALE_CLAIM_MS],
      );
      if (takenOver.length === 0) throw Errors.conflict('IDEMPOTENCY_IN_PROGRESS', '相同的请求正在处理中，请稍后重试');
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.db.query(`UPDATE idempotency_key SET status_code = $3, response = $4 WHERE scope = $1 AND key = $2`, [
        scope,
        key,
        statusCode,
        this.cipher.sealAnswer(JSON.stringify(body ?? null)),
      ]);
      if (Math.random() < 0.01) await this.db.query(`DELETE FROM idempotency_key WHERE created_at < now() - interval '${RETENTION}'`);
      return body;
    } catch (error) {
      // A refused request stored nothing: release the key so the client can retry once the cause is fixed.
      await this.db.query(`DELETE FROM idempotency_key WHERE scope = $1 AND key = $2 AND status_code IS NULL`, [scope, key]).catch(() => undefined);
      throw error;
    }
  }
}

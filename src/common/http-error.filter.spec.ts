import { HttpException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { Errors } from './errors';
import { toErrorBody } from './http-error.filter';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('error bodies', () => {
  it('answers a database or Redis outage with 503, never 500 (regressions from bench/chaos.sh)', () => {
    expect(toErrorBody(pgError('57P03', 'the database system is shutting down')).statusCode).toBe(503);
    expect(toErrorBody(pgError('57P01', 'terminating connection due to administrator command')).statusCode).toBe(503);
    expect(toErrorBody(new QueryFailedError('SELECT 1', [], pgError('08006', 'connection failure'))).statusCode).toBe(503);
    expect(
      toErrorBody(Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), { name: 'QueryRunnerAlreadyReleasedError' }))
        .statusCode,
    ).toBe(503);
    expect(toErrorBody(new Error('Connection terminated unexpectedly')).statusCode).toBe(503);
    expect(toErrorBody(pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6379')).statusCode).toBe(503);
  });

  it('maps a unique violation to 409 and keeps domain errors as they are', () => {
    expect(toErrorBody(new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key'))).statusCode).toBe(409);
    expect(toErrorBody(Errors.conflict('ALREADY_REGISTERED', '已登记'))).toEqual({
      statusCode: 409,
      code: 'ALREADY_REGISTERED',
      message: '已登记',
      details: [],
    });
  });

  it('lists at most 50 fields, saying how many there were', () => {
    const body = toErrorBody(Errors.validation(Array.from({ length: 70 }, (_, i) => ({ field: `f${i}`, message: '不允许的字段' }))));
    expect(body.details).toHaveLength(50);
    expect(body.details[49].field).toBe('f49');
    expect(body.message).toBe('请求数据有误，请检查标出的字段（共 70 处，只列出前 50 处）');
    expect(toErrorBody(Errors.validation([{ field: 'a', message: '不能为空' }])).message).toBe('请求数据有误，请检查标出的字段');
  });

  it('turns Fastify refusals into the contract shape and unknown errors into a 500 without details', () => {
    expect(toErrorBody(new HttpException('Unexpected token', 400))).toMatchObject({ statusCode: 400, code: 'MALFORMED_REQUEST' });
    expect(toErrorBody(new NotFoundException())).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect(toErrorBody(new TypeError('x is undefined'))).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: expect.any(String), details: [] });
  });
});

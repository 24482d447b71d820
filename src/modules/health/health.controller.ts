import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { JobProducer } from '@/common/job-producer';
import { QUEUE_NAMES } from '@/common/queues';
import { REDIS } from '@/common/redis.module';
import { Public } from '@/modules/auth/auth.decorators';

type QueueCounts = Record<string, { waiting: number; active: number; delayed: number; failed: number }>;

const CHECK_TIMEOUT_MS = 2_000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly producer: JobProducer,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '健康检查：数据库、Redis、队列积压（依赖不可用时 503）' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const [db, redis] = await Promise.all([this.dbUp(), this.redisUp()]);
    const queues = redis ? await this.queueCounts().catch(() => ({}) as QueueCounts) : {};
    const ok = db && redis;
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ok' : 'error', db: db ? 'up' : 'down', redis: redis ? 'up' : 'down', queues };
  }

  private async dbUp(): Promise<boolean> {
    try {
      await this.health.check([() => this.db.pingCheck('db', { timeout: CHECK_TIMEOUT_MS })]);
      return true;
    } catch {
      return false;
    }
  }

  private async redisUp(): Promise<boolean> {
    try {
      const pong = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS)),
      ]);
      return pong === 'PONG';
    } catch {
      return false;
    }
  }

  private async queueCounts(): Promise<QueueCounts> {
    const result: QueueCounts = {};
    for (const name of QUEUE_NAMES) result[name] = await this.producer.counts(name);
    return result;
  }
}

import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Cluster, Redis } from 'ioredis';
import { JobProducer } from '@/common/job-producer';
import { QUEUE_NAMES } from '@/queues/queues';
import { REDIS } from '@/common/redis.module';
import { ReadReplica } from '@/database/read-replica';
import { Public } from '@/common/auth.decorators';
import { HealthView, QueueCountsView, RedisClusterView } from './health.dto';

type QueueCounts = HealthView['queues'];

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS))]);
}

@ApiTags('operations')
@ApiExtraModels(QueueCountsView)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(REDIS) private readonly redis: Redis | Cluster,
    private readonly replica: ReadReplica,
    private readonly producer: JobProducer,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '健康检查：数据库、Redis（集群状态）、只读副本延迟、队列积压（数据库或 Redis 不可用时 503）' })
  @ApiOkResponse({ type: HealthView, description: '数据库和 Redis 可用' })
  @ApiServiceUnavailableResponse({ type: HealthView, description: '数据库或 Redis 不可用（status 为 error）' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const [db, redis] = await Promise.all([this.dbUp(), this.redisUp()]);
    const queues = redis ? await this.queueCounts().catch(() => ({}) as QueueCounts) : {};
    const cluster = this.redis instanceof Cluster ? await this.clusterState() : undefined;
    const replica = this.replica.state;
    // A replica that is down or behind is not an error: the dashboards read from the primary meanwhile.
    const ok = db && redis;
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'error',
      db: db ? 'up' : 'down',
      redis: redis ? 'up' : 'down',
      ...(cluster && { redisCluster: cluster }),
      ...(replica && { replica }),
      queues,
    };
  }

  /** A Redis Cluster's own view: its state (ok/fail), how many masters serve slots, how many nodes it knows. */
  private async clusterState(): Promise<RedisClusterView> {
    try {
      const info = String(await withTimeout((this.redis as Cluster).cluster('INFO')));
      const field = (name: string) => /^(.*)$/m.exec(info.split(`${name}:`)[1] ?? '')?.[1]?.trim() ?? '';
      return { state: field('cluster_state'), masters: Number(field('cluster_size')), knownNodes: Number(field('cluster_known_nodes')) };
    } catch {
      return { state: 'unknown' };
    }
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
      const pong = await withTimeout(this.redis.ping());
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

import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { JobProducer } from './job-producer';
import { parseRedisUrl } from '@/config/redis-url';
import { connectRedis, failFastOptions, logRedisErrors, redisRetryStrategy } from './redis-connection';

export const REDIS = Symbol('REDIS');
/** On a Redis Cluster: the one Cluster client BullMQ's queues and workers share (BullMQ needs an instance there). */
export const BULL_CLUSTER = Symbol('BULL_CLUSTER');

/**
 * The service's own Redis connections: REDIS for its keys, and the JobProducer through which requests and the relay
 * hand jobs to BullMQ. The workers keep BullMQ's connections, which wait for Redis instead of failing.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = connectRedis(config.redisUrl, { ...failFastOptions(config), keyPrefix: `${config.redisPrefix}:` });
        logRedisErrors(redis, 'Redis');
        return redis;
      },
    },
    {
      provide: BULL_CLUSTER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (!parseRedisUrl(config.redisUrl).cluster) return null;
        // Waits through an outage like BullMQ's own connections (maxRetriesPerRequest: null, as BullMQ requires).
        const cluster = connectRedis(config.redisUrl, { retryStrategy: redisRetryStrategy, maxRetriesPerRequest: null });
        logRedisErrors(cluster, 'BullMQ');
        return cluster;
      },
    },
    JobProducer,
  ],
  exports: [REDIS, BULL_CLUSTER, JobProducer],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | Cluster,
    @Inject(BULL_CLUSTER) private readonly bullCluster: Cluster | null,
  ) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
    // After the workers closed (BullMQ does not close a connection it was given).
    this.bullCluster?.disconnect();
  }
}

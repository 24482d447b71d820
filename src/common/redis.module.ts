import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { JobProducer } from './job-producer';
import { connectRedis, failFastOptions, logRedisErrors } from './redis-connection';

export const REDIS = Symbol('REDIS');

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
    JobProducer,
  ],
  exports: [REDIS, JobProducer],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | Cluster) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

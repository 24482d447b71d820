import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { safeError } from './http-error.filter';

export const REDIS = Symbol('REDIS');

/** One shared Redis connection for the service's own keys (BullMQ keeps its own connections). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.redisUrl, {
          keyPrefix: `${config.redisPrefix}:`,
          // Fail fast while Redis is down instead of queueing commands forever: callers answer 503.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 5_000,
        });
        // ioredis reconnects by itself; health reports the outage. Without a listener it would print every retry.
        let warned = 0;
        redis.on('error', (error: Error) => {
          if (Date.now() - warned > 30_000) {
            warned = Date.now();
            new Logger('Redis').warn({ err: safeError(error) }, 'Redis unavailable, reconnecting');
          }
        });
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

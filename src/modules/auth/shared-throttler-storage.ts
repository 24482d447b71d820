import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { Cluster, Redis } from 'ioredis';
import { safeError } from '@/common/http-error.filter';
import { REDIS } from '@/common/redis.module';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttle counters (login attempts per address and per account, certificate checks) in Redis, so that every API
 * process counts the same tries: ten wrong passwords are ten, however the load balancer spread them. While Redis is
 * down each process counts on its own again (a client then gets the limit once per process) rather than refusing
 * every login: a sign-in must not depend on Redis.
 */
@Injectable()
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttler');
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private warned = 0;

  constructor(@Inject(REDIS) redis: Redis | Cluster) {
    // Either client: the library's constructor overloads take one or the other.
    this.shared = new ThrottlerStorageRedisService(redis as Redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    try {
      return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      if (Date.now() - this.warned > 30_000) {
        this.warned = Date.now();
        this.logger.warn({ err: safeError(error) }, 'throttle counters kept in this process while Redis is unavailable');
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}

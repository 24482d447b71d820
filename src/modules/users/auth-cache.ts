import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { connectRedis, logRedisErrors, redisRetryStrategy } from '@/common/redis-connection';
import { REDIS } from '@/common/redis.module';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

/** The account as the auth guard checks a token against it: who it is, and the generation its tokens must carry. */
export interface AuthAccount {
  user: AuthUser;
  tokenGeneration: number;
}

// Tokens are checked against the account on every request (a deactivated user is locked out), but a short cache keeps
// that off the database for the hot paths.
const AUTH_CACHE_MS = 10_000;
const LIMIT = 10_000;

/**
 * The accounts the auth guard read, kept AUTH_CACHE_MS in this process. A change to an account (deactivated, role,
 * password, token generation) made in any process is published on Redis and every process drops it from its cache at once; while Redis
 * is down, an entry lives AUTH_CACHE_MS at most, so a deactivated user is refused everywhere within 10 s at worst.
 */
@Injectable()
export class AuthCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, { account: AuthAccount | null; until: number }>();
  private readonly channel: string;
  private subscriber: Redis | Cluster | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | Cluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.channel = `${config.redisPrefix}:account-changed`;
  }

  /** The cached account (null: known to be gone or deactivated), or undefined when it must be read. */
  get(id: string): AuthAccount | null | undefined {
    const entry = this.entries.get(id);
    return entry && entry.until > Date.now() ? entry.account : undefined;
  }

  set(id: string, account: AuthAccount | null): void {
    if (this.entries.size >= LIMIT) this.entries.clear();
    this.entries.set(id, { account, until: Date.now() + AUTH_CACHE_MS });
  }

  /** After an account changed: dropped here, and in every other process through Redis (best effort, never throws). */
  async changed(id: string): Promise<void> {
    this.entries.delete(id);
    await this.redis.publish(this.channel, id).catch(() => undefined);
  }

  onApplicationBootstrap(): void {
    // Its own connection (a subscribed connection does nothing else); it reconnects and subscribes again by itself.
    const subscriber = connectRedis(this.config.redisUrl, { retryStrategy: redisRetryStrategy, maxRetriesPerRequest: null });
    logRedisErrors(subscriber, 'AuthCache');
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.channel) this.entries.delete(id);
    });
    void subscriber.subscribe(this.channel).catch(() => undefined);
    this.subscriber = subscriber;
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}

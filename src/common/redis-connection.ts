import { Logger } from '@nestjs/common';
import Redis, { Cluster, RedisOptions } from 'ioredis';
import { AppConfig } from '@/config/config';
import { parseRedisUrl } from '@/config/redis-url';
import { safeError } from './http-error.filter';

/**
 * Reconnect at most a second after Redis is back. BullMQ's own default backs off to 20 s, so the first requests after
 * an outage would wait for a connection that could long have been made again.
 */
export function redisRetryStrategy(times: number): number {
  return Math.min(100 * times, 1_000);
}

/**
 * Options of every connection a request may use: a command is refused at once while Redis is down (no offline queue)
 * and given up after REDIS_TIMEOUT when Redis does not answer, so no request waits on Redis.
 */
export function failFastOptions(config: AppConfig): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.redisTimeoutMs,
    connectTimeout: 5_000,
    retryStrategy: redisRetryStrategy,
  };
}

/** Logs a connection's errors at most every 30 s; without a listener ioredis and BullMQ print every retry. */
export function logRedisErrors(emitter: { on(event: 'error', listener: (error: Error) => void): unknown }, name: string): void {
  let warned = 0;
  const logger = new Logger(name);
  emitter.on('error', (error: Error) => {
    if (Date.now() - warned > 30_000) {
      warned = Date.now();
      logger.warn({ err: safeError(error) }, 'Redis unavailable, reconnecting');
    }
  });
}

/** A connection to REDIS_URL with these options: an ioredis client, or an ioredis Cluster client for a cluster. */
export function connectRedis(redisUrl: string, options: RedisOptions): Redis | Cluster {
  const target = parseRedisUrl(redisUrl);
  if (!target.cluster) return new Redis(target.url, options);
  const { keyPrefix, enableOfflineQueue, retryStrategy, ...perNode } = options;
  return new Cluster(target.nodes, {
    keyPrefix,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy ?? redisRetryStrategy,
    // Through a failover the cluster answers MOVED/TRYAGAIN/CLUSTERDOWN for a few seconds; ioredis follows them.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    redisOptions: { ...perNode, username: target.username, password: target.password, tls: target.tls ? {} : undefined },
  });
}

/**
 * The prefix of BullMQ's keys. On a cluster it is a hash tag, so that all of a queue's keys (which BullMQ's scripts
 * touch together) are in one slot; on one server it stays as it always was, so an upgrade finds its queues.
 */
export function bullPrefix(redisUrl: string, redisPrefix: string): string {
  return parseRedisUrl(redisUrl).cluster ? `{${redisPrefix}:bull}` : `${redisPrefix}:bull`;
}

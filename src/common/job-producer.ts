import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { safeError } from './http-error.filter';
import { jobDefaults, QueueName } from '@/queues/queues';
import { bullPrefix, connectRedis, failFastOptions, logRedisErrors } from './redis-connection';

export interface JobSpec<T> {
  name: string;
  data: T;
  opts: JobsOptions & { jobId: string };
}

/**
 * Hands jobs to BullMQ without ever making a request wait for Redis. Every job it adds has a row in PostgreSQL that
 * says it is owed (an exchange still queued, an import not done), so when Redis is down the hand-off is skipped and the
 * relay adds the job once Redis is back. Its connection fails fast (failFastOptions); BullMQ's own connections, used
 * by the workers, wait for Redis instead.
 */
@Injectable()
export class JobProducer implements OnApplicationShutdown {
  private readonly logger = new Logger('JobProducer');
  private readonly redis: Redis | Cluster;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = connectRedis(config.redisUrl, failFastOptions(config));
    logRedisErrors(this.redis, 'JobProducer');
  }

  /** Connected now; when not, a hand-off is skipped at once rather than attempted. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Adds the jobs (a repeated jobId is a no-op in BullMQ); false when Redis could not take them within REDIS_TIMEOUT. */
  async add<T>(queue: QueueName, jobs: JobSpec<T>[]): Promise<boolean> {
    if (jobs.length === 0) return true;
    try {
      await this.bounded(() => this.queue(queue).addBulk(jobs));
      return true;
    } catch (error) {
      this.logger.warn({ err: safeError(error), queue, count: jobs.length }, 'hand-off to the queue skipped; the relay will add the jobs');
      return false;
    }
  }

  /** Removes the jobs of these ids that failed in Redis, so that adding them again is not taken for a duplicate. Throws when Redis is unreachable. */
  async removeFailed(queue: QueueName, ids: string[]): Promise<void> {
    const q = this.queue(queue);
    for (const id of ids) {
      const job = await this.bounded(() => q.getJob(id));
      if (job && (await this.bounded(() => job.isFailed()))) await this.bounded(() => job.remove());
    }
  }

  /** Backlog of a queue, for health. Throws when Redis is unreachable. */
  async counts(queue: QueueName): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const c = await this.bounded(() => this.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'failed'));
    return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.redis.disconnect();
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.redis,
        prefix: bullPrefix(this.config.redisUrl, this.config.redisPrefix),
        defaultJobOptions: jobDefaults(this.config)[name],
      });
      logRedisErrors(queue, 'JobProducer');
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Refused at once while disconnected; otherwise given up after REDIS_TIMEOUT (a Redis that accepts but does not answer). */
  private async bounded<T>(command: () => Promise<T>): Promise<T> {
    if (!this.ready) throw new Error('Redis not connected');
    const work = command();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.config.redisTimeoutMs} ms`)), this.config.redisTimeoutMs);
    });
    work.catch(() => undefined);
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { safeError } from '@/common/http-error.filter';
import { JobProducer, JobSpec } from '@/common/job-producer';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { CHANNEL_DELIVERY_QUEUE, ChannelJob } from '@/queues/queues';
import { startWorker } from '@/queues/start-worker';
import { ChannelsService } from './channels.service';

const FAN_OUT_EVERY_MS = 1_000;
const FAN_OUT_BATCH = 500;

/**
 * Hands each committed notification to its user's channels: one BullMQ job per (notification, channel), jobId
 * `<notification>-<channel>` so a second hand-off of the same pair is the same job. The notification is marked fanned
 * out in the transaction that added its jobs; with Redis away nothing is marked and the next look tries again. The
 * console's notification never waits for any of it.
 */
@Injectable()
export class ChannelFanout implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChannelFanout');
  private timer?: ReturnType<typeof setInterval>;
  private running = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly producer: JobProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.look(), FAN_OUT_EVERY_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.fanOut()) === FAN_OUT_BATCH);
    } catch (error) {
      this.logger.warn({ err: safeError(error) }, 'notifications not handed to their channels yet; trying again');
    } finally {
      this.running = false;
    }
  }

  /** One batch: answers how many notifications it took. */
  async fanOut(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const due: { id: string; user_id: string }[] = await manager.query(
        `SELECT id, user_id FROM notification WHERE fanned_out_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [FAN_OUT_BATCH],
      );
      if (due.length === 0) return 0;
      const channels: { user_id: string; channel: ChannelJob['channel'] }[] = await manager.query(
        `SELECT user_id, channel FROM user_channel WHERE user_id = ANY($1)`,
        [[...new Set(due.map((d) => d.user_id))]],
      );
      const jobs: JobSpec<ChannelJob>[] = due.flatMap((d) =>
        channels
          .filter((c) => c.user_id === d.user_id)
          .map((c) => ({ name: 'send', data: { notificationId: d.id, channel: c.channel }, opts: { jobId: `${d.id}-${c.channel}` } })),
      );
      if (!(await this.producer.add(CHANNEL_DELIVERY_QUEUE, jobs))) throw new Error('Redis unavailable');
      await manager.query(`UPDATE notification SET fanned_out_at = now() WHERE id = ANY($1)`, [due.map((d) => d.id)]);
      return due.length;
    });
  }
}

/** One notification to one channel; a failure is retried with backoff, and its reason shown in the settings. */
@Processor(CHANNEL_DELIVERY_QUEUE, { autorun: false, concurrency: 16 })
export class ChannelDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly channels: ChannelsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    startWorker(this, this.config);
  }

  async process(job: Job<ChannelJob>): Promise<void> {
    const [n]: { user_id: string; kind: string; title: string; body: string; link: string; created_at: Date }[] = await this.db.query(
      `SELECT user_id, kind, title, body, link, created_at FROM notification WHERE id = $1`,
      [job.data.notificationId],
    );
    if (!n) return;
    // The channel removed meanwhile: nothing to send.
    const [target] = await this.channels.targets(n.user_id, job.data.channel);
    if (!target) return;
    const error = await this.channels.sendAndRecord(n.user_id, target, { kind: n.kind, title: n.title, body: n.body, link: n.link, at: n.created_at });
    if (error) throw new Error(error);
  }
}

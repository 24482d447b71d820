import type { DefaultJobOptions } from 'bullmq';
import type { AppConfig } from '@/config/config';

// Queue and job names in one place; payloads carry ids only (the database holds the data).
export const EXCHANGE_DELIVERY_QUEUE = 'exchange-delivery';
export const EXCHANGE_DEADLINE_QUEUE = 'exchange-deadline';

export const INFLOW_IMPORT_QUEUE = 'inflow-import';

/** One notification to one of its user's outward channels (企业微信, 钉钉, email, webhook). */
export const CHANNEL_DELIVERY_QUEUE = 'channel-delivery';

export type QueueName = typeof EXCHANGE_DELIVERY_QUEUE | typeof EXCHANGE_DEADLINE_QUEUE | typeof INFLOW_IMPORT_QUEUE | typeof CHANNEL_DELIVERY_QUEUE;

export interface ChannelJob {
  notificationId: string;
  channel: 'wecom' | 'dingtalk' | 'email' | 'webhook';
}

export interface ImportJob {
  importId: string;
}

/** One exchange (a registration's or a reply's notices, one job each), or many written together (an import batch's). */
export type DeliveryJob = { exchangeId: string } | { exchangeIds: string[] };

/** One exchange's due instant, or the exchanges delivered together that fall due at the same instant. */
export type DeadlineJob = { exchangeId: string } | { exchangeIds: string[] };

/** Every queue, so health reports them all. */
export const QUEUE_NAMES: readonly QueueName[] = [EXCHANGE_DELIVERY_QUEUE, EXCHANGE_DEADLINE_QUEUE, INFLOW_IMPORT_QUEUE, CHANNEL_DELIVERY_QUEUE];

// Completed jobs are kept a day so that a relay enqueueing the same exchange again is recognised as a duplicate by
// its jobId; failed ones a week, for the admins.
const RETENTION = { removeOnComplete: { age: 24 * 3600, count: 100_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/**
 * Default attempts, backoff and retention of each queue, set once. BullMQ applies them where a job is added, so the
 * registered queues (workers) and the JobProducer (requests, relay) both take them from here.
 */
export function jobDefaults(config: AppConfig): Record<QueueName, DefaultJobOptions> {
  return {
    [EXCHANGE_DELIVERY_QUEUE]: { attempts: config.deliveryAttempts, backoff: { type: 'exponential', delay: config.deliveryBackoffMs }, ...RETENTION },
    [EXCHANGE_DEADLINE_QUEUE]: { attempts: 5, backoff: { type: 'exponential', delay: config.deliveryBackoffMs }, ...RETENTION },
    // A chat robot or mail server away for a while: retried over about half an hour, then its last error stays in the settings.
    [CHANNEL_DELIVERY_QUEUE]: { attempts: 6, backoff: { type: 'exponential', delay: Math.min(config.deliveryBackoffMs, 30_000) }, ...RETENTION },
    [INFLOW_IMPORT_QUEUE]: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  };
}

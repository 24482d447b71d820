import { EXCHANGE_TYPE_RULES } from '@/common/exchange-types';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { townshipOf } from '@/common/division-code';
import { JobProducer, JobSpec } from '@/common/job-producer';
import { DeliveryJob, EXCHANGE_DELIVERY_QUEUE } from '@/queues/queues';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ExchangeType } from './exchange.entity';

export interface ExchangeSpec {
  caseId: string;
  type: ExchangeType;
  /** The sending unit: a township, or a community in it. */
  fromUnitCode: string;
  /** The addressed unit: a township, or a village/community in it. */
  toUnitCode: string;
  urgent?: boolean;
  /** Defaults by type: receipt-only notices need none (domain.md). */
  needsReply?: boolean;
  /** Ids and facts a clerk needs to act; never an ID number, name or phone. */
  payload: Record<string, unknown>;
  createdBy: string | null;
  sentAt: Date;
}

/** The delivery job of an exchange: its id is the exchange id, so adding it twice is a no-op. */
export function deliveryJob(exchangeId: string): JobSpec<DeliveryJob> {
  return { name: 'deliver', data: { exchangeId }, opts: { jobId: exchangeId } };
}

/** One delivery job for exchanges written together; its id is named after the first (a fresh uuid), so it is never taken for another batch's. */
function deliveryJobOfMany(exchangeIds: string[]): JobSpec<DeliveryJob> {
  return { name: 'deliver-many', data: { exchangeIds }, opts: { jobId: `many-${exchangeIds[0]}-${exchangeIds.length}` } };
}

/**
 * The transactional outbox: `add` writes the exchange rows in the caller's transaction, so a registration and the
 * notices it owes commit together or not at all; `enqueue` hands them to BullMQ after the commit. If that hand-off
 * fails (Redis down, process killed), the relay finds the rows still queued and enqueues them.
 */
@Injectable()
export class ExchangeOutbox {
  constructor(
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async add(manager: EntityManager, specs: ExchangeSpec[]): Promise<string[]> {
    const ids: string[] = [];
    for (const spec of specs) {
      const needsReply = spec.needsReply ?? EXCHANGE_TYPE_RULES[spec.type].needsReply;
      const limit = needsReply ? (spec.urgent ? this.config.replyTimeLimitUrgent : this.config.replyTimeLimit).text : null;
      const [row] = await manager.query(
        // enqueued_at is set optimistically: `enqueue` right after the commit normally succeeds, and when it does not,
        // the relay finds the row still queued once RELAY_STALE has passed. One write less per message.
        `INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit, payload, sent_at,
                               created_by, enqueued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11) RETURNING id`,
        [
          spec.caseId,
          spec.type,
          townshipOf(spec.fromUnitCode),
          townshipOf(spec.toUnitCode),
          spec.fromUnitCode,
          spec.toUnitCode,
          spec.urgent ?? false,
          needsReply,
          limit,
          JSON.stringify(spec.payload),
          spec.sentAt,
          spec.createdBy,
        ],
      );
      ids.push(row.id as string);
    }
    return ids;
  }

  /**
   * After commit: best effort, never fails or holds up the request. While Redis is down it returns at once; the rows
   * stay queued and the relay enqueues them within RELAY_STALE of Redis coming back.
   */
  async enqueue(ids: string[]): Promise<boolean> {
    return this.producer.add(EXCHANGE_DELIVERY_QUEUE, ids.map(deliveryJob));
  }

  /**
   * After commit, for the many exchanges of one batch (an import's): one job delivers them all with one statement,
   * instead of a job each. The same guarantees: a row it cannot deliver is handed back to a job of its own, and rows
   * the job never reaches stay queued for the relay.
   */
  async enqueueTogether(ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    return this.producer.add(EXCHANGE_DELIVERY_QUEUE, [ids.length === 1 ? deliveryJob(ids[0]) : deliveryJobOfMany(ids)]);
  }
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { valuesOf } from '@/common/labels';

export const EXCHANGE_TYPES = valuesOf('exchangeType');
export type ExchangeType = (typeof EXCHANGE_TYPES)[number];
export const STORED_STATUSES = ['queued', 'delivered', 'replied', 'failed', 'withdrawn'] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];
/** What clients see: `overdue` is derived from dueAt at read time, never stored. */
export const EXCHANGE_STATUSES = valuesOf('exchangeStatus');
export type ExchangeStatus = (typeof EXCHANGE_STATUSES)[number];
export const OUTCOMES = valuesOf('outcome');
export type Outcome = (typeof OUTCOMES)[number];

@Entity('exchange')
export class Exchange {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @Column({ type: 'varchar', length: 24 })
  type: ExchangeType;

  /** Sending township. */
  @Column({ type: 'varchar', length: 12 })
  fromCode: string;

  /** Addressed township (the unit that answers, Art. 6). */
  @Column({ type: 'varchar', length: 12 })
  toCode: string;

  /** The most specific sender known (a community, or the township itself). */
  @Column({ type: 'varchar', length: 12 })
  fromUnitCode: string;

  /** The most specific addressee known (the household's village, or the township). */
  @Column({ type: 'varchar', length: 12 })
  toUnitCode: string;

  @Column({ type: 'boolean', default: false })
  urgent: boolean;

  @Column({ type: 'boolean' })
  needsReply: boolean;

  /** The reply's time limit as configured when it was sent (`P30D`, `15WD`); its due instant is fixed on delivery. */
  @Column({ type: 'varchar', length: 24, nullable: true })
  replyLimit: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10, default: 'queued' })
  status: StoredStatus;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sentAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  repliedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  replyOutcome: Outcome | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  replyNote: string | null;

  @Column({ type: 'jsonb', nullable: true })
  replyCorrections: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  repliedBy: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  overdueNotedAt: Date | null;

  /** When the sender corrected the case's origin before this was answered (status `withdrawn`): no longer owed. */
  @Column({ type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}

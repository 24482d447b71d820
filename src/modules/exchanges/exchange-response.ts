import { Exchange, ExchangeStatus, ExchangeType, Outcome } from './exchange.entity';

// An exchange as the API answers it: its status at an instant, the person it concerns, the reply.

export interface ExchangeSubject {
  personId: string;
  name: string;
  idNumber: string;
  sex: 'male' | 'female';
  /** Whole years; never the birth date beside a masked number. */
  age: number;
}

export interface ExchangeReply {
  outcome: Outcome;
  note: string | null;
  corrections: Record<string, unknown> | null;
  by: { id: string; displayName: string; jurisdictionName: string } | null;
  at: string;
}

export interface ExchangeResponse {
  id: string;
  caseId: string;
  type: ExchangeType;
  fromCode: string;
  /** The most specific unit that sent it (the household village, the destination community): who may act on it. */
  fromUnitCode: string;
  fromName: string;
  toCode: string;
  /** The most specific unit it is addressed to: staff whose subtree holds it may reply. */
  toUnitCode: string;
  toName: string;
  subject: ExchangeSubject | null;
  urgent: boolean;
  needsReply: boolean;
  payload: Record<string, unknown>;
  status: ExchangeStatus;
  sentAt: string;
  deliveredAt: string | null;
  dueAt: string | null;
  repliedAt: string | null;
  reply: ExchangeReply | null;
  attempts: number;
  lastError: string | null;
}

/** What a list of exchanges shows besides its rows: place names, whom each is about, who replied. */
export interface ExchangeContext {
  places: Map<string, string>;
  subjects: Map<string, ExchangeSubject>;
  repliers: Map<string, { id: string; displayName: string; jurisdictionName: string }>;
}

/** `overdue` once dueAt has passed without a reply; derived at read time, so a service that was down is still right. */
export function statusAt(e: Pick<Exchange, 'status' | 'needsReply' | 'dueAt'>, now: Date): ExchangeStatus {
  if (e.status === 'delivered' && e.needsReply && e.dueAt && e.dueAt.getTime() <= now.getTime()) return 'overdue';
  return e.status;
}

export function toExchangeResponse(e: Exchange, context: ExchangeContext, now = new Date()): ExchangeResponse {
  return {
    id: e.id,
    caseId: e.caseId,
    type: e.type,
    fromCode: e.fromCode,
    fromUnitCode: e.fromUnitCode,
    fromName: context.places.get(e.fromCode) ?? '',
    toCode: e.toCode,
    toUnitCode: e.toUnitCode,
    toName: context.places.get(e.toCode) ?? '',
    subject: context.subjects.get(e.caseId) ?? null,
    urgent: e.urgent,
    needsReply: e.needsReply,
    payload: e.payload,
    status: statusAt(e, now),
    sentAt: e.sentAt.toISOString(),
    deliveredAt: e.deliveredAt?.toISOString() ?? null,
    dueAt: e.dueAt?.toISOString() ?? null,
    repliedAt: e.repliedAt?.toISOString() ?? null,
    reply:
      e.replyOutcome && e.repliedAt
        ? {
            outcome: e.replyOutcome,
            note: e.replyNote,
            corrections: e.replyCorrections,
            by: e.repliedBy ? (context.repliers.get(e.repliedBy) ?? null) : null,
            at: e.repliedAt.toISOString(),
          }
        : null,
    attempts: e.attempts,
    lastError: e.lastError,
  };
}

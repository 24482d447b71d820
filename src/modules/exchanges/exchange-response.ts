import { Exchange, ExchangeStatus } from './exchange.entity';
import { ExchangeReplyView, ExchangeSubjectView, ExchangeView } from './exchanges.dto';

// An exchange as the API answers it: its status at an instant, the person it concerns, the reply.

export type ExchangeSubject = ExchangeSubjectView;

export type ExchangeReply = ExchangeReplyView;

export type ExchangeResponse = ExchangeView;

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

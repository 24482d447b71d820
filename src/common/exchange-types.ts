import type { LABELS } from './labels';

type Outcome = keyof (typeof LABELS)['outcome'];

/**
 * Every kind of message between the two sides, in one table that the service (replies allowed, whether a reply is
 * owed, which a clerk may send by hand), the console (the 反馈结果 it offers, through the `@server` alias) and the SQL
 * (the `exchange_type` table, kept equal to this one by `npm run setup`) all read. Its Chinese name is in labels.ts
 * (`exchangeType`). A sixth type is an entry here and in `exchangeType`, and the handler that sends it
 * (docs/architecture.md).
 * - `needsReply`: whether the addressee owes a reply within the time limit (domain.md); receipt-only notices do not.
 *   Which of them are urgent (the shorter limit) is the sender's rule: a 协查 about a pregnant key target
 *   (`submission_notices`, inflows/sql/register.sql).
 * - `manual`: a clerk of either side of a case may send it from the case (POST /api/exchanges); the others are sent
 *   by the event they report (a registration, a departure, an outflow) from the side that records it.
 * - `outcomes`: the replies the addressee may give, in the order the form offers them.
 */
export const EXCHANGE_TYPE_RULES = {
  inflow_notice: { needsReply: true, manual: false, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  verification_request: { needsReply: true, manual: true, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  event_notice: { needsReply: false, manual: true, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  departure_notice: { needsReply: false, manual: false, outcomes: ['confirmed', 'not_found', 'not_ours'] },
  outflow_notice: { needsReply: true, manual: false, outcomes: ['arrived', 'not_arrived'] },
} as const satisfies Record<keyof (typeof LABELS)['exchangeType'], { needsReply: boolean; manual: boolean; outcomes: readonly Outcome[] }>;

/** The types a clerk may send by hand from a case. */
export const MANUAL_EXCHANGE_TYPES = (Object.keys(EXCHANGE_TYPE_RULES) as (keyof typeof EXCHANGE_TYPE_RULES)[]).filter(
  (type) => EXCHANGE_TYPE_RULES[type].manual,
);

/** The replies a message of this type allows. */
export function outcomesOf(type: keyof typeof EXCHANGE_TYPE_RULES): readonly Outcome[] {
  return EXCHANGE_TYPE_RULES[type].outcomes;
}

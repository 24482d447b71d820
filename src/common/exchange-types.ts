import type { LABELS } from './labels';

type Outcome = keyof (typeof LABELS)['outcome'];

/**
 * Every kind of message between the two sides, in one table that the service (replies allowed, whether a reply is
 * owed) and the console (the 反馈结果 it offers, through the `@server` alias) both read. Its Chinese name is in
 * labels.ts (`exchangeType`). A sixth type is an entry here and in `exchangeType`, the handler that sends it, and the
 * `exchange_type_chk` constraint (docs/architecture.md).
 * - `needsReply`: whether the addressee owes a reply within the time limit (domain.md); receipt-only notices do not.
 * - `outcomes`: the replies the addressee may give, in the order the form offers them.
 */
export const EXCHANGE_TYPE_RULES = {
  inflow_notice: { needsReply: true, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  verification_request: { needsReply: true, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  event_notice: { needsReply: false, outcomes: ['confirmed', 'corrected', 'not_found', 'not_ours'] },
  departure_notice: { needsReply: false, outcomes: ['confirmed', 'not_found', 'not_ours'] },
  outflow_notice: { needsReply: true, outcomes: ['arrived', 'not_arrived'] },
} as const satisfies Record<keyof (typeof LABELS)['exchangeType'], { needsReply: boolean; outcomes: readonly Outcome[] }>;

/** The replies a message of this type allows. */
export function outcomesOf(type: keyof typeof EXCHANGE_TYPE_RULES): readonly Outcome[] {
  return EXCHANGE_TYPE_RULES[type].outcomes;
}

import { TestApp, waitFor } from './app';

// Reading exchanges in the e2e tests: a case's exchanges once they left the queue, and an inbox.

export interface Exchange {
  id: string;
  caseId: string;
  type: string;
  status: string;
  fromCode: string;
  toCode: string;
  urgent: boolean;
  needsReply: boolean;
  sentAt: string;
  deliveredAt: string | null;
  dueAt: string | null;
  payload: Record<string, unknown>;
  subject: { personId: string; name: string; idNumber: string; sex: string; age: number };
  attempts: number;
  lastError: string | null;
  reply: { outcome: string; corrections: unknown } | null;
}

/** The exchanges of a case, as `token` sees them, once every one of them (`count`) has left the queue. */
export function settledExchanges(t: TestApp, token: string, caseId: string, count: number): Promise<Exchange[]> {
  return waitFor(
    async () => {
      const res = await t.http().get(`/api/cases/${caseId}`).set('Authorization', `Bearer ${token}`);
      const list = res.body.exchanges as Exchange[];
      return list.length === count && list.every((e) => e.status !== 'queued') ? list : undefined;
    },
    15_000,
    `${count} delivered exchanges`,
  );
}

/** The first 100 messages of `token`'s inbox (`query` adds filters: `&type=…`). */
export async function inboxOf(t: TestApp, token: string, query = ''): Promise<Exchange[]> {
  return (await t.http().get(`/api/exchanges/inbox?pageSize=100${query}`).set('Authorization', `Bearer ${token}`).expect(200)).body.items;
}

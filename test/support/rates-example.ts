import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp, waitFor } from './app';
import { inflowBody, outflowBody } from './builders';
import { daysAgo, newIdNumber, staffAt } from './people';

// The worked example of rates.md, played for real with 2-second time limits (test/rates.e2e-spec.ts).

export const D = '610113001001'; // 西安市雁塔区 长安大学社区 (destination)
export const D_TOWNSHIP = '610113001000';
export const D_COUNTY = '610113000000';
export const O = '622921100000'; // 临夏县 韩集镇 (origin)
export const O_COUNTY = '622921000000';
export const O_VILLAGES = ['622921100001', '622921100002', '622921100003'];

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A registration at D of a person from `householdCode`, as `token`. */
export function registerAtD(t: TestApp, token: string, householdCode: string, extra: Record<string, unknown> = {}) {
  return t
    .http()
    .post('/api/inflows')
    .set(auth(token))
    .send(
      inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '马明' }, daysAgo(2), {
        householdCode,
        destinationCode: D,
        address: '西安市雁塔区',
        ...extra,
      }),
    );
}

async function inflowNotices(t: TestApp, origin: string): Promise<{ id: string; type: string; deliveredAt: string | null; dueAt: string }[]> {
  const res = await t.http().get('/api/exchanges/inbox?pageSize=100&type=inflow_notice').set(auth(origin)).expect(200);
  return res.body.items;
}

/**
 * D registers three people from O (one as a draft submitted late), O registers a fourth as leaving, O answers one
 * notice in time, one late and leaves the third; T is 5 s after the last notice. Answers the accounts and instants.
 */
export async function workedExample(t: TestApp) {
  const [dest, origin, destSupervisor, originSupervisor, admin] = await Promise.all([
    staffAt(t, D),
    staffAt(t, O),
    staffAt(t, D_COUNTY, 'supervisor'),
    staffAt(t, O_COUNTY, 'supervisor'),
    staffAt(t, '620000000000', 'admin'),
  ]);

  // D registers three migrants from O: two submitted at once, one saved as a draft and submitted after 3 s.
  const [a, b] = [await registerAtD(t, dest, O_VILLAGES[0]).expect(201), await registerAtD(t, dest, O_VILLAGES[1]).expect(201)];
  const draft = await registerAtD(t, dest, O_VILLAGES[2], { submit: false }).expect(201);
  expect(draft.body.status).toBe('draft');
  const afterFirstRegistrations = new Date().toISOString();
  // O had also registered a fourth person as leaving, with no destination yet.
  await t
    .http()
    .post('/api/outflows')
    .set(auth(origin))
    .send(outflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '马刚' }, daysAgo(10), { householdCode: O_VILLAGES[0] }))
    .expect(201);

  const [first, second] = await waitFor(
    async () => {
      const list = await inflowNotices(t, origin);
      return list.length === 2 && list.every((e) => e.deliveredAt) ? list : undefined;
    },
    10_000,
    'two inflow notices delivered',
  );
  const beforeReplies = new Date().toISOString();
  // O answers one inflow notice within 1 s …
  await t.http().post(`/api/exchanges/${first.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);

  await sleep(3_000 - (Date.now() - Date.parse(afterFirstRegistrations)));
  await t.http().post(`/api/inflows/${draft.body.id}/submit`).set(auth(dest)).expect(200);
  await sleep(Math.max(0, 3_000 - (Date.now() - Date.parse(second.deliveredAt as string))));
  // … one after 3 s, and leaves the third unanswered.
  await t.http().post(`/api/exchanges/${second.id}/reply`).set(auth(origin)).send({ outcome: 'confirmed' }).expect(200);
  const all = await waitFor(
    async () => {
      const list = await inflowNotices(t, origin);
      return list.length === 3 && list.every((e) => e.deliveredAt) ? list : undefined;
    },
    10_000,
    'the third inflow notice delivered',
  );
  const third = all.find((e) => e.id !== first.id && e.id !== second.id) as { id: string; deliveredAt: string };
  const notices = [first as { id: string; deliveredAt: string }, second as { id: string; deliveredAt: string }, third];
  // T = 5 s after the notices.
  const T = new Date(Date.parse(third.deliveredAt) + 5_000).toISOString();
  await sleep(Math.max(0, Date.parse(T) - Date.now() + 50));
  expect([a.body.status, b.body.status]).toEqual(['active', 'active']);
  return { dest, origin, destSupervisor, originSupervisor, admin, notices, beforeReplies, afterFirstRegistrations, T };
}

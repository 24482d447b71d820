// Soak (issue 8): a steady mixed load for 10 minutes — registrations, replies to the notices they cause, dashboard
// reads — against the built service (API and workers in one process). Reports p99 and errors per kind and the RSS
// after warm-up and at the end.   Usage: npm run bench -- --only=SOAK [--soak-seconds=600]
import { makeIdNumber } from '@/common/identity';
import { BenchStack, createUser, login, report, startService } from './lib';
import { inflowBody } from '../test/support/builders';

const DEST = '330802005001';
const ORIGIN = '421381101000';
const ORIGIN_VILLAGE = '421381101201';
const RATES = { register: 20, reply: 15, dashboard: 10 }; // requests per second
const WARMUP_S = 30;

interface Tally {
  times: number[];
  errors: number;
  statuses: Record<number, number>;
}

function p(sorted: number[], q: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10 : NaN;
}

export async function soak(stack: BenchStack, seconds: number): Promise<void> {
  await createUser(stack.databaseUrl, 'soak_dest', 'staff', DEST, 'soak-pass-1');
  await createUser(stack.databaseUrl, 'soak_origin', 'staff', ORIGIN, 'soak-pass-1');
  await createUser(stack.databaseUrl, 'soak_sup', 'supervisor', '420000000000', 'soak-pass-1');
  const service = await startService(stack);
  try {
    const [dest, origin, supervisor] = [
      await login(service.url, 'soak_dest', 'soak-pass-1'),
      await login(service.url, 'soak_origin', 'soak-pass-1'),
      await login(service.url, 'soak_sup', 'soak-pass-1'),
    ];
    const tallies: Record<string, Tally> = {
      register: { times: [], errors: 0, statuses: {} },
      reply: { times: [], errors: 0, statuses: {} },
      dashboard: { times: [], errors: 0, statuses: {} },
    };
    let measuring = false;
    let serial = 0;
    const unanswered: string[] = [];

    async function timed(kind: string, request: () => Promise<Response>): Promise<Response | null> {
      const started = process.hrtime.bigint();
      try {
        const res = await request();
        await res.clone().arrayBuffer();
        if (measuring) {
          const tally = tallies[kind];
          tally.times.push(Number(process.hrtime.bigint() - started) / 1e6);
          tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
          if (res.status >= 400) tally.errors++;
        }
        return res;
      } catch {
        if (measuring) tallies[kind].errors++;
        return null;
      }
    }

    const json = (token: string, body: unknown) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const actions: Record<keyof typeof RATES, () => Promise<void>> = {
      register: async () => {
        const i = serial++;
        const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10000) * 86_400_000).toISOString().slice(0, 10);
        await timed('register', () =>
          fetch(
            `${service.url}/api/inflows`,
            json(
              dest,
              inflowBody({ idNumber: makeIdNumber('421381', birth, (Math.floor(i / 10000) % 500) * 2 + 1), name: '耐久测试' }, '2026-01-02', {
                householdCode: ORIGIN_VILLAGE,
                destinationCode: DEST,
              }),
            ),
          ),
        );
      },
      reply: async () => {
        if (unanswered.length === 0) {
          const res = await fetch(`${service.url}/api/exchanges/inbox?pageSize=100&status=delivered`, { headers: { authorization: `Bearer ${origin}` } });
          if (res.ok) unanswered.push(...((await res.json()) as { items: { id: string }[] }).items.map((e) => e.id));
        }
        const id = unanswered.shift();
        if (id) await timed('reply', () => fetch(`${service.url}/api/exchanges/${id}/reply`, json(origin, { outcome: 'confirmed' })));
      },
      dashboard: async () => {
        await timed('dashboard', () => fetch(`${service.url}/api/rates?jurisdiction=420000000000`, { headers: { authorization: `Bearer ${supervisor}` } }));
      },
    };

    // Open loop: each kind fires at its rate whether or not earlier requests have answered.
    const until = Date.now() + (WARMUP_S + seconds) * 1000;
    const inFlight = new Set<Promise<void>>();
    const timers = Object.entries(RATES).map(([kind, rate]) =>
      setInterval(() => {
        if (Date.now() > until) return;
        const work = actions[kind as keyof typeof RATES]().finally(() => inFlight.delete(work));
        inFlight.add(work);
      }, 1000 / rate),
    );
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    measuring = true;
    const rssStart = service.rssMb();
    let rssMax = rssStart;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, service.rssMb())), 1000);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    timers.forEach(clearInterval);
    await Promise.all(inFlight);
    clearInterval(sampler);
    const rssEnd = service.rssMb();
    for (const [kind, tally] of Object.entries(tallies)) {
      const sorted = tally.times.sort((a, b) => a - b);
      report({
        figure: `soak.${kind}.p99_ms`,
        value: p(sorted, 0.99),
        unit: 'ms',
        p50: p(sorted, 0.5),
        requests: sorted.length,
        errors: tally.errors,
        statuses: tally.statuses,
      });
    }
    const errors = Object.values(tallies).reduce((sum, t) => sum + t.errors, 0);
    report({ figure: 'soak.errors', value: errors, unit: 'responses', bar: 0, seconds });
    report({
      figure: 'soak.rss_growth',
      value: Number((rssEnd / rssStart - 1).toFixed(3)),
      unit: 'ratio',
      bar: 0.2,
      rss_start_mb: rssStart,
      rss_end_mb: rssEnd,
      rss_max_mb: rssMax,
    });
  } finally {
    await service.stop();
  }
}

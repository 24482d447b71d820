import { Client } from 'pg';
import { Latency, measure } from './b4-rates';
import { BenchStack, createUser, login, report, startService } from './lib';
import { atSizes, seedIndex, seedPerson, seedTo } from './seed';

// B7 (quality.md): the clerks' lists at scale. For the busiest township of the seeded province, 8 users at once on
// 收件箱 (GET /api/exchanges/inbox, the default tab, and a name search) and 流入人员 (GET /api/inflows?q= by name and by
// full ID number), at 1 M inflows with their exchanges; against the same calls at 10 k inflows, same run. Bar: p95
// ≤ 100 ms at 1 M and ≤ 2 × the 10 k figure.

const WARMUP_S = 2;
const DURATION_S = 10;
const USERS = 8;
const PASSWORD = 'bench-pass-1';

type Call = 'inbox' | 'inbox_name' | 'inflows_name' | 'inflows_id';

export async function benchLists(stack: BenchStack, sizes = [10_000, 1_000_000]): Promise<void> {
  const results = new Map<number, Map<Call, Latency>>();
  await atSizes(stack, sizes, 'B7', (on, these) => measureSizes(on, these, results));
  const [smallest, largest] = [results.get(sizes[0]), results.get(sizes[sizes.length - 1])];
  if (!smallest || !largest || smallest === largest) return;
  for (const [call, latency] of largest) {
    const base = smallest.get(call) as Latency;
    report({
      figure: `B7.p95_ratio.${call}`,
      value: Number((latency.p95 / base.p95).toFixed(2)),
      unit: 'ratio',
      bar: 2,
      p95_ms: latency.p95,
      baseline_p95_ms: base.p95,
      sizes,
    });
  }
}

/** The township with the most inflows (its clerks' 流入人员) and the one with the most notices addressed to it (收件箱). */
async function busiest(databaseUrl: string): Promise<{ destination: string; origin: string }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const destination = await db.query(`SELECT destination_township_code AS code FROM inflow GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    const origin = await db.query(`SELECT to_code AS code FROM exchange WHERE delivered_at IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
    return { destination: destination.rows[0].code, origin: origin.rows[0].code };
  } finally {
    await db.end();
  }
}

/** What a clerk types: a person's surname and first given character, and one full ID number (the seed's own). */
async function searchTerms(databaseUrl: string, destination: string, origin: string): Promise<{ inflowName: string; inflowId: string; inboxName: string }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const here = await db.query(
      `SELECT p.id, p.name, p.household_code FROM inflow i JOIN person p ON p.id = i.person_id WHERE i.destination_township_code = $1 ORDER BY i.id LIMIT 1`,
      [destination],
    );
    const addressed = await db.query(
      `SELECT p.name FROM exchange e JOIN migrant_case c ON c.id = e.case_id JOIN person p ON p.id = c.person_id WHERE e.to_code = $1 ORDER BY e.id LIMIT 1`,
      [origin],
    );
    const person = here.rows[0];
    return {
      inflowName: person.name.slice(0, 2),
      inflowId: seedPerson(seedIndex(person.id), person.household_code).idNumber,
      inboxName: addressed.rows[0].name.slice(0, 2),
    };
  } finally {
    await db.end();
  }
}

async function measureSizes(stack: BenchStack, sizes: number[], results: Map<number, Map<Call, Latency>>): Promise<void> {
  const service = await startService(stack);
  try {
    for (const size of sizes) {
      await seedTo(stack.databaseUrl, size, 'B7');
      const { destination, origin } = await busiest(stack.databaseUrl);
      const terms = await searchTerms(stack.databaseUrl, destination, origin);
      await createUser(stack.databaseUrl, `b7_dest_${size}`, 'staff', destination, PASSWORD);
      await createUser(stack.databaseUrl, `b7_origin_${size}`, 'staff', origin, PASSWORD);
      const [destToken, originToken] = await Promise.all([login(service.url, `b7_dest_${size}`, PASSWORD), login(service.url, `b7_origin_${size}`, PASSWORD)]);
      const q = (text: string) => encodeURIComponent(text);
      const calls: Record<Call, { path: string; token: string }> = {
        inbox: { path: '/api/exchanges/inbox', token: originToken },
        inbox_name: { path: `/api/exchanges/inbox?q=${q(terms.inboxName)}`, token: originToken },
        inflows_name: { path: `/api/inflows?q=${q(terms.inflowName)}`, token: destToken },
        inflows_id: { path: `/api/inflows?q=${terms.inflowId}`, token: destToken },
      };
      const bySize = new Map<Call, Latency>();
      for (const [call, { path, token }] of Object.entries(calls) as [Call, { path: string; token: string }][]) {
        // Each call finds what it looks for: a benchmark of empty answers would measure nothing.
        const check = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await check.json()) as { total?: number };
        if (!check.ok || !body.total) throw new Error(`[B7] ${call} at ${size} answered ${check.status} with ${body.total ?? 'no'} rows`);
        console.error(`[B7] ${size}: ${call} finds ${body.total} (destination ${destination}, origin ${origin})`);
        await measure(`${service.url}${path}`, token, USERS, WARMUP_S);
        const latency = await measure(`${service.url}${path}`, token, USERS, DURATION_S);
        bySize.set(call, latency);
        report({ figure: `B7.p95_ms.${size}.${call}`, value: latency.p95, unit: 'ms', bar: size >= 1_000_000 ? 100 : undefined, users: USERS, ...latency });
      }
      results.set(size, bySize);
    }
  } finally {
    await service.stop();
  }
}

import { Client } from 'pg';
import { todayInShanghai } from '@/common/time';
import { BenchStack, createUser, login, report, startService } from './lib';
import { atSizes, seedTo } from './seed';

// B4: GET /api/rates for a province with children (广东, 21 cities), 1 and 8 concurrent users, at 10 k, 1 M and 10 M
// inflows with their notices; against the same call at 10 k and a plain GROUP BY over the raw rows at 10 M.

export const PROVINCE = '440000000000';
const WARMUP_S = 3;
const DURATION_S = 15;

export interface Latency {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `concurrency` users each sending the next request as soon as the last one answered, for `seconds`. */
export async function measure(url: string, token: string, concurrency: number, seconds: number): Promise<Latency> {
  const times: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.ok) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        else errors++;
      }
    }),
  );
  times.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { count: times.length, errors, p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), p99: round(percentile(times, 99)) };
}

/** The three rates per city of the province straight from the raw rows: what the roll-up saves. */
async function rawGroupBy(databaseUrl: string, from: string): Promise<number[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const times: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint();
      await db.query(
        `SELECT left(destination_code, 4), count(*) FILTER (WHERE submitted_at <= submission_due_at),
                count(*) FILTER (WHERE submitted_at > submission_due_at), count(*) FILTER (WHERE submitted_at IS NULL AND submission_due_at <= now()),
                count(*) FILTER (WHERE submitted_at IS NULL AND submission_due_at > now())
           FROM inflow WHERE destination_code BETWEEN '440000000000' AND '449999999999' AND registered_at >= $1::date
          GROUP BY 1`,
        [from],
      );
      await db.query(
        `SELECT left(to_unit_code, 4), count(*) FILTER (WHERE replied_at <= due_at), count(*) FILTER (WHERE replied_at > due_at),
                count(*) FILTER (WHERE replied_at IS NULL AND due_at <= now()), count(*) FILTER (WHERE replied_at IS NULL AND due_at > now())
           FROM exchange WHERE needs_reply AND delivered_at IS NOT NULL AND to_unit_code BETWEEN '440000000000' AND '449999999999' AND delivered_at >= $1::date
          GROUP BY 1`,
        [from],
      );
      await db.query(
        `SELECT left(p.household_code, 4), count(*) FILTER (WHERE l.located OR l.away), count(*) FILTER (WHERE l.located)
           FROM person p CROSS JOIN LATERAL (
             SELECT EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = p.id AND i.submitted_at IS NOT NULL AND i.closed_at IS NULL) AS located,
                    EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = p.id AND o.closed_at IS NULL) AS away) l
          WHERE p.household_code BETWEEN '440000000000' AND '449999999999'
          GROUP BY 1`,
      );
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    await db.end();
  }
  return times.sort((a, b) => a - b);
}

export async function benchRates(stack: BenchStack, sizes: number[], baseline = true): Promise<void> {
  const results = new Map<number, Map<number, Latency>>();
  await atSizes(stack, sizes, 'B4', (on, these) => measureSizes(on, these, results));
  const smallest = results.get(sizes[0])?.get(8);
  const largest = results.get(sizes[sizes.length - 1])?.get(8);
  if (smallest && largest) {
    report({ figure: 'B4.p95_ratio_largest_to_smallest.users_8', value: Number((largest.p95 / smallest.p95).toFixed(2)), unit: 'ratio', bar: 2, sizes });
    report({ figure: `B4.p95_ms_at_largest.users_8`, value: largest.p95, unit: 'ms', bar: 100, size: sizes[sizes.length - 1] });
  }
  if (!baseline) return;
  const raw = await rawGroupBy(stack.databaseUrl, `${todayInShanghai().slice(0, 4)}-01-01`);
  report({
    figure: `B4.baseline.raw_group_by_ms.${sizes[sizes.length - 1]}`,
    value: Math.round(raw[raw.length - 1]),
    unit: 'ms',
    runs: raw.map(Math.round),
    note: 'p95 of 5 sequential runs (the slowest)',
  });
}

/** Seeds each size in turn (sizes ascending, none below what the stack holds) and measures the province dashboard. */
async function measureSizes(stack: BenchStack, sizes: number[], results: Map<number, Map<number, Latency>>): Promise<void> {
  if (!sizes.length) return;
  await createUser(stack.databaseUrl, 'bench_gd', 'supervisor', PROVINCE, 'bench-pass-1');
  const service = await startService(stack);
  try {
    for (const size of sizes) {
      await seedTo(stack.databaseUrl, size, 'B4');
      const token = await login(service.url, 'bench_gd', 'bench-pass-1');
      const url = `${service.url}/api/rates?jurisdiction=${PROVINCE}`;
      const check = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      const body = (await check.json()) as { submission: { denominator: number; pending: number }; children: unknown[] };
      console.error(`[B4] ${size}: submission items this year ${body.submission.denominator + body.submission.pending}, children ${body.children.length}`);
      await measure(url, token, 8, WARMUP_S);
      const bySize = new Map<number, Latency>();
      for (const users of [1, 8]) {
        const latency = await measure(url, token, users, DURATION_S);
        bySize.set(users, latency);
        report({ figure: `B4.p95_ms.${size}.users_${users}`, value: latency.p95, unit: 'ms', ...latency });
      }
      results.set(size, bySize);
    }
  } finally {
    await service.stop();
  }
}

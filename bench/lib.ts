import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { runSetup } from '@/cli/setup';
import { loadConfig } from '@/config/config';
import { PASSWORD_HASH_OPTIONS } from '@/modules/users/users.service';

import { startStack } from '../scripts/local-stack';

export const ROOT = join(__dirname, '..');

export interface Figure {
  figure: string;
  value: number | null;
  unit: string;
  [extra: string]: unknown;
}

const figures: Figure[] = [];

/** One JSON line per figure, as quality.md asks; all of them end up in bench/results/latest.json. */
export function report(figure: Figure): void {
  figures.push(figure);
  console.log(JSON.stringify(figure));
}

/**
 * Writes bench/results/<name>.json. Figures of this run replace those of the same name; figures this run did not
 * measure (e.g. `--only=B4`) are kept from earlier runs, each with the time it was measured.
 */
export function writeResults(name = 'latest'): void {
  const file = join(ROOT, `bench/results/${name}.json`);
  let previous: Figure[] = [];
  try {
    previous = (JSON.parse(readFileSync(file, 'utf8')) as { figures: Figure[] }).figures ?? [];
  } catch {
    // first run
  }
  const at = new Date().toISOString();
  const fresh = figures.map((f) => ({ ...f, at: f.at ?? at }));
  const kept = previous.filter((p) => !fresh.some((f) => f.figure === p.figure));
  const out = { at, machine: { cpus: cpus().length, node: process.version }, figures: [...kept, ...fresh] };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

const MARK_START = '<!-- results:start -->';
const MARK_END = '<!-- results:end -->';

/** The table of bench/README.md between the results markers, regenerated from bench/results/latest.json. */
export function writeMarkdown(): void {
  const readme = join(ROOT, 'bench/README.md');
  const text = readFileSync(readme, 'utf8');
  if (!text.includes(MARK_START) || !text.includes(MARK_END)) return;
  // Every benchmark's figures (latest.json) and the fuzzer's (fuzz.json, `npm run fuzz`).
  const all = ['latest', 'fuzz'].flatMap((name) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, `bench/results/${name}.json`), 'utf8')) as { figures: Figure[] }).figures;
    } catch {
      return [];
    }
  });
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : (typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)).replace(/\|/g, '/');
  const rows = all.map((f) => {
    let bar = '';
    if (typeof f.bar === 'number') {
      // Throughput ratios and scores are floors; times, sizes, counts of failures and growth ratios are ceilings.
      const floor = (f.unit === 'ratio' && !/p95_ratio|rss_growth/.test(f.figure)) || f.unit === 'boolean' || f.unit === 'score';
      const met = typeof f.value === 'number' && (floor ? f.value >= f.bar : f.value <= f.bar);
      bar = `${floor ? '≥' : '≤'} ${f.bar} ${met ? 'met' : '**not met**'}`;
    }
    return `| ${f.figure} | ${cell(f.value)} ${cell(f.unit)} | ${bar} | ${cell(typeof f.at === 'string' ? f.at.slice(0, 16).replace('T', ' ') : '')} |`;
  });
  const table = ['| figure | value | bar | measured (UTC) |', '|---|---|---|---|', ...rows].join('\n');
  const start = text.indexOf(MARK_START) + MARK_START.length;
  writeFileSync(readme, `${text.slice(0, start)}\n${table}\n${text.slice(text.indexOf(MARK_END))}`);
}

export interface BenchStack {
  databaseUrl: string;
  redisUrl: string;
  pgPort: number;
  stop(): Promise<void>;
}

/**
 * A durable PostgreSQL (fsync on, like production) and Redis, set up as `npm run setup` does: in a temp dir removed
 * afterwards, or in `keepDir` (kept, and reused by the next run: B4 then seeds only what is missing).
 */
export async function startBenchStack(keepDir?: string): Promise<BenchStack> {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'liudong-bench-'));
  if (keepDir) mkdirSync(keepDir, { recursive: true });
  const stack = await startStack({ dir, persistent: true, cleanupOnExit: !keepDir, log: () => undefined });
  await runSetup(loadConfig({ NODE_ENV: 'test', DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, BOOTSTRAP_ADMIN_PASSWORD: 'bench-admin-pw' }));
  return {
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    pgPort: Number(new URL(stack.databaseUrl).port),
    stop: async () => {
      await stack.stop();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function createUser(databaseUrl: string, username: string, role: string, jurisdictionCode: string, password: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`INSERT INTO app_user (username, password_hash, display_name, role, jurisdiction_code) VALUES ($1, $2, $1, $3, $4) ON CONFLICT DO NOTHING`, [
    username,
    await argon2.hash(password, PASSWORD_HASH_OPTIONS),
    role,
    jurisdictionCode,
  ]);
  await db.end();
}

export interface Service {
  url: string;
  process: ChildProcess;
  rssMb(): number;
  stop(): Promise<void>;
}

/** Resident memory of a process and all its descendants (`npm start` is a supervisor with its API and worker processes). */
export function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(c));
      }
    } catch {
      // the process ended meanwhile
    }
  };
  visit(pid);
  return Math.round(kb / 1024);
}

/** The built service as `npm start` runs it (a supervisor, API_PROCESSES API processes, one worker process) on a free port. */
export async function startService(stack: BenchStack, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/src/main.js')], {
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // starting
    }
  }
  return {
    url,
    process: child,
    rssMb: () => treeRssMb(child.pid as number),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export function pgbenchPath(): string {
  for (const candidate of ['/usr/lib/postgresql/17/bin/pgbench', '/usr/lib/postgresql/16/bin/pgbench', '/usr/lib/postgresql/15/bin/pgbench', 'pgbench']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  throw new Error('pgbench not found (Debian: apt-get install postgresql-contrib / postgresql-client)');
}

export interface DeliveryCheck {
  /** Accepted registrations with no inflow row. */
  missingInflows: number;
  /** Accepted registrations whose inflow notice never reached the inbox (after waiting up to 2 minutes). */
  undelivered: number;
  /** Registrations with more than one inflow notice, or one delivered twice. */
  doubled: number;
  /** Inflows committed although the client saw an error (safe to retry with an Idempotency-Key). */
  committedButRefused: number;
}

/**
 * What the drills check at the end: every accepted registration exists once and its inflow notice was delivered
 * exactly once (waiting up to 2 minutes for deliveries still under way), and no inflow exists that was not accepted.
 */
export async function checkDeliveries(databaseUrl: string, accepted: string[]): Promise<DeliveryCheck> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const count = async () =>
      (
        await db.query(
          `SELECT count(*) FILTER (WHERE i.id IS NULL)::int AS missing_inflows,
                  count(*) FILTER (WHERE n.n IS NULL OR n.delivered = 0)::int AS undelivered,
                  count(*) FILTER (WHERE n.n > 1 OR n.delivered > 1)::int AS doubled
             FROM unnest($1::uuid[]) a(id)
             LEFT JOIN inflow i ON i.id = a.id
             LEFT JOIN (SELECT (payload->>'inflowId')::uuid AS inflow_id, count(*) AS n, count(*) FILTER (WHERE status = 'delivered') AS delivered
                          FROM exchange WHERE type = 'inflow_notice' GROUP BY 1) n ON n.inflow_id = a.id`,
          [accepted],
        )
      ).rows[0] as { missing_inflows: number; undelivered: number; doubled: number };
    let result = await count();
    for (let i = 0; i < 240 && result.undelivered > 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      result = await count();
    }
    const [{ extra }] = (await db.query(`SELECT count(*)::int AS extra FROM inflow WHERE NOT (id = ANY($1::uuid[]))`, [accepted])).rows;
    return { missingInflows: result.missing_inflows, undelivered: result.undelivered, doubled: result.doubled, committedButRefused: extra };
  } finally {
    await db.end();
  }
}

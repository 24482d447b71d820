import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { DESTINATION, registrationRequest, run } from './b1-registrations';
import { importFile } from './b3-import';
import { createUser, login, startBenchStack, startService } from './lib';

/**
 * The write path's profile (bench/README.md, "Write path"): B1's load for 20 s with `track_functions = all`, then the
 * time spent in each database function and trigger per registration, what the backends waited for (sampled every 50 ms),
 * and CPU seconds per process. Not a benchmark.
 *   npx ts-node --transpile-only -r tsconfig-paths/register bench/profile.ts [--triggers=off] [--cpu-prof]
 * With --cpu-prof every service process writes a V8 CPU profile to /tmp/liudong-cpu-prof when it stops.
 */
/** A figure of every process of PostgreSQL, Redis and the service (supervisor, API, worker), added up by role. */
function byRole(servicePid: number, figure: (pid: string) => number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const role =
        cmd.startsWith('postgres') || cmd.includes('bin/postgres')
          ? 'postgresql'
          : cmd.includes('redis-server')
            ? 'redis'
            : Number(pid) === servicePid
              ? 'supervisor'
              : cmd.includes('dist/src/main')
                ? cmd.trim().endsWith(' worker')
                  ? 'worker'
                  : 'api'
                : null;
      if (role) totals[role] = (totals[role] ?? 0) + figure(pid);
    } catch {
      // gone
    }
  }
  return totals;
}

/** CPU seconds so far, by role. */
function cpuSeconds(servicePid: number): Record<string, number> {
  return byRole(servicePid, (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / 100;
  });
}

/** Resident memory now in MB, by role. */
function rssMb(servicePid: number): Record<string, number> {
  return byRole(servicePid, (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
}

async function main(): Promise<void> {
  const triggersOff = process.argv.includes('--triggers=off');
  const stack = await startBenchStack();
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    await db.query(`ALTER SYSTEM SET track_functions = 'all'`);
    await db.query(`SELECT pg_reload_conf()`);
    if (triggersOff) {
      await db.query(`ALTER TABLE inflow DISABLE TRIGGER inflow_rates_ins, DISABLE TRIGGER inflow_rates_upd`);
      await db.query(`ALTER TABLE exchange DISABLE TRIGGER exchange_rates_ins, DISABLE TRIGGER exchange_rates_upd`);
    }
    await createUser(stack.databaseUrl, 'prof_dest', 'staff', DESTINATION, 'prof-pass-1');
    const service = await startService(stack, {}, process.argv.includes('--cpu-prof') ? ['--cpu-prof', '--cpu-prof-dir=/tmp/liudong-cpu-prof'] : []);
    try {
      const importRows = Number(/--import=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 0);
      if (importRows > 0) {
        await db.query(`SELECT pg_stat_reset()`);
        await db.query(`SELECT pg_stat_reset_shared('wal')`);
        const before = cpuSeconds(service.process.pid as number);
        const rssMax: Record<string, number> = {};
        const sampler = setInterval(() => {
          for (const [role, mb] of Object.entries(rssMb(service.process.pid as number))) rssMax[role] = Math.max(rssMax[role] ?? 0, Math.round(mb));
        }, 250);
        const started = Date.now();
        const { succeeded } = await importFile(service.url, await login(service.url, 'prof_dest', 'prof-pass-1'), importRows, DESTINATION).finally(() =>
          clearInterval(sampler),
        );
        const n = succeeded;
        console.log(`imported ${n} rows in ${Date.now() - started} ms`);
        const [wal] = (await db.query(`SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal`)).rows as {
          wal_records: string;
          wal_fpi: string;
          wal_bytes: string;
        }[];
        console.log(
          `WAL per row: ${(Number(wal.wal_bytes) / n / 1024).toFixed(1)} kB, ${(Number(wal.wal_records) / n).toFixed(1)} records, ` +
            `${(Number(wal.wal_fpi) / n).toFixed(2)} full-page images`,
        );
        const { rows } = await db.query(
          `SELECT funcname, calls, round(total_time::numeric / $1, 3) AS total_ms_per_row, round(self_time::numeric / $1, 3) AS self_ms_per_row
                                            FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 25`,
          [n],
        );
        console.table(rows);
        const after = cpuSeconds(service.process.pid as number);
        console.table(
          Object.fromEntries(
            Object.keys(after).map((k) => [k, { ms_per_row: Number((((after[k] - (before[k] ?? 0)) * 1000) / n).toFixed(3)), rss_max_mb: rssMax[k] }]),
          ),
        );
        return;
      }
      const request = registrationRequest(await login(service.url, 'prof_dest', 'prof-pass-1'));
      await run({ url: service.url, connections: 32, duration: 5, requests: [request] });
      await db.query(`SELECT pg_stat_reset()`);
      const cpu = () => cpuSeconds(service.process.pid as number);
      const before = cpu();
      // What the backends wait for, sampled every 50 ms while the load runs (a backend on the CPU has no wait event).
      const waits: Record<string, number> = {};
      let samples = 0;
      const sampling = setInterval(() => {
        void db
          .query(
            `SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS w, count(*)::int AS n FROM pg_stat_activity
              WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
          )
          .then(({ rows }) => {
            samples++;
            for (const r of rows as { w: string; n: number }[]) waits[r.w] = (waits[r.w] ?? 0) + r.n;
          });
      }, 50);
      const result = await run({ url: service.url, connections: 32, duration: 20, requests: [request] }).finally(() => clearInterval(sampling));
      const byWait = Object.entries(waits).sort((a, b) => b[1] - a[1]);
      console.table(Object.fromEntries(byWait.map(([w, n]) => [w, { backends_on_average: Number((n / samples).toFixed(2)) }])));
      const n = result.requests.total;
      console.log(`registrations: ${n} (${Math.round(result.requests.average)}/s)`);
      const { rows } = await db.query(
        `SELECT funcname, calls, round(total_time::numeric / $1, 3) AS total_ms_per_reg, round(self_time::numeric / $1, 3) AS self_ms_per_reg
                                          FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 25`,
        [n],
      );
      console.table(rows);
      const { rows: tables } = await db.query(
        `SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY 2 DESC`,
      );
      console.table(tables);
      const after = cpu();
      console.table(Object.fromEntries(Object.keys(after).map((k) => [k, { ms_per_reg: Number((((after[k] - (before[k] ?? 0)) * 1000) / n).toFixed(2)) }])));
    } finally {
      await service.stop();
    }
  } finally {
    await db.end();
    await stack.stop();
  }
}

void main();

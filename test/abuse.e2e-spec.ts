import { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import request from 'supertest';
import { serviceAnswering, spawnService, startTestApp, TestApp } from './support/app';
import { QUZHOU_COMMUNITY } from './support/builders';
import { BOOTSTRAP_ADMIN } from './support/env';
import { importFinished } from './support/imports';
import { staffAt } from './support/people';
import { sharedStringsBomb } from './support/xlsx-bomb';

// quality.md "Abuse": one client, even without a token, must not stall or crash the service (issue 27, points 6 and 7).

/** `{"k0":1,"k1":1,…}` with `n` keys: unknown to every DTO. */
function unknownKeys(n: number): string {
  return `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`;
}

describe('abuse by one client: JSON bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const login = (body: string) => t.http().post('/api/auth/login').set('Content-Type', 'application/json').send(body);
  const timed = async <T>(run: () => PromiseLike<T>): Promise<{ value: T; ms: number }> => {
    const started = performance.now();
    const value = await run();
    return { value, ms: performance.now() - started };
  };

  it('refuses two 1 MB bodies of unknown keys sent together at once, while a login meanwhile answers as usual', async () => {
    const body = unknownKeys(70_000);
    expect(Buffer.byteLength(body)).toBeLessThan(t.config.bodyLimitBytes);
    const credentials = JSON.stringify({ username: BOOTSTRAP_ADMIN.username, password: BOOTSTRAP_ADMIN.password });
    // What a login costs on this machine when nothing else runs (argon2 dominates), once warm.
    await login(credentials).expect(200);
    const usual = await timed(() => login(credentials));
    expect(usual.value.status).toBe(200);

    const [first, second, meanwhile] = await Promise.all([
      timed(() => login(body)),
      timed(() => login(body)),
      // Sent just after the two, so it waits behind them if they hold the event loop.
      new Promise((r) => setTimeout(r, 20)).then(() => timed(() => login(credentials))),
    ]);
    for (const refused of [first, second]) {
      // Spec: within 1 s; the bound leaves room for a loaded CI machine (two such bodies used to take 10–14 s).
      expect(refused.ms).toBeLessThan(1_500);
      expect(refused.value.status).toBe(400);
      expect(refused.value.body).toMatchObject({ code: 'MALFORMED_REQUEST', message: expect.stringContaining('1000') });
    }
    expect(meanwhile.value.status).toBe(200);
    expect(meanwhile.ms).toBeLessThan(usual.ms + 1_000);
  });

  it('counts at most 1 000 keys in all (array elements included), at any depth, before parsing', async () => {
    const over = await login(unknownKeys(1_001)).expect(400);
    expect(over.body).toEqual({
      statusCode: 400,
      code: 'MALFORMED_REQUEST',
      message: expect.stringMatching(/字段.*1000/),
      details: [{ field: 'body', message: expect.any(String) }],
    });
    // Spread over nested objects and arrays: the same count.
    const nested = JSON.stringify({
      a: { b: Array.from({ length: 600 }, (_, i) => i) },
      c: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`x${i}`, [i]])),
    });
    expect((await login(nested).expect(400)).body.code).toBe('MALFORMED_REQUEST');
    // Keys inside strings are text, not keys.
    const inText = JSON.stringify({ username: unknownKeys(2_000), password: 'x' });
    expect((await login(inText)).body.code).not.toBe('MALFORMED_REQUEST');
  });

  it('passes 1 000 keys to validation, which lists at most 50 fields and says how many were left off', async () => {
    const res = await login(unknownKeys(1_000)).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details).toHaveLength(50);
    expect(res.body.details[0]).toEqual({ field: 'k0', message: '不允许的字段' });
    // 1 000 unknown keys, and username and password missing.
    expect(res.body.message).toMatch(/共 1002 处.*50/);
    expect(Buffer.byteLength(JSON.stringify(res.body))).toBeLessThan(4_000);
  });
});

describe('abuse by one client: spreadsheets', () => {
  let t: TestApp;
  let service: ChildProcess;
  let url: string;
  let dest: string;
  let bomb: Awaited<ReturnType<typeof sharedStringsBomb>>;
  beforeAll(async () => {
    // 300 000 shared strings of 1 000 characters: 305 MB unpacked from about 660 KB (the file of issue 27).
    bomb = await sharedStringsBomb(300_000);
    // The service as `npm start` runs it (a supervisor, an API process and a worker process), so each process's memory
    // is its own; this process only holds the schema, the accounts and tokens.
    t = await startTestApp({}, 'api');
    dest = await staffAt(t, QUZHOU_COMMUNITY);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    service = spawnService([], {
      DATABASE_URL: t.config.databaseUrl,
      REDIS_URL: t.config.redisUrl,
      REDIS_PREFIX: t.config.redisPrefix,
      PORT: String(port),
      API_PROCESSES: '1',
    });
    await serviceAnswering(url);
  }, 120_000);
  afterAll(async () => {
    service?.kill('SIGKILL');
    await t?.close();
  });

  it('six 660 KB files whose strings unpack to 305 MB, sent together, stop at 50 MB unpacked; every process stays under 700 MB and healthy', async () => {
    expect(bomb.honest.length).toBeLessThan(1_000_000);
    expect(bomb.unpackedBytes).toBeGreaterThan(300_000_000);
    const processes = childProcesses(service.pid as number);
    expect(processes.map((p) => p.role).sort()).toEqual(['api', 'worker']);

    // Three declare their real size; three claim 1 KB for the strings, which only unpacking can tell.
    const files = [bomb.honest, bomb.lying, bomb.honest, bomb.lying, bomb.honest, bomb.lying];
    const filename = `bomb-${Date.now()}.xlsx`;
    const answers = await Promise.all(
      files.map((file) => request(url).post('/api/inflows/import').set('Authorization', `Bearer ${dest}`).attach('file', file, filename)),
    );
    // No process went past 700 MB at any moment (six such uploads took an API process to 2.1 GB; fourteen killed it).
    const overLimit = () => processes.map((p) => ({ role: p.role, peakMb: peakResidentMb(p.pid) })).filter((p) => p.peakMb >= 700);
    expect(overLimit()).toEqual([]);
    for (const [i, res] of answers.entries()) {
      if (files[i] === bomb.honest) {
        // Refused from the ZIP's directory alone, storing nothing.
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('50 MB'), details: [{ field: 'file' }] });
      } else expect(res.status).toBe(202);
    }
    // The API answers while the worker reads the others; each ends failed at the limit, nothing registered.
    await request(url).get('/api/health').expect(200);
    for (const res of answers.filter((r) => r.status === 202)) {
      const result = await importFinished(t, dest, res.body.importId);
      expect(result).toMatchObject({ status: 'failed', total: 0, succeeded: 0, error: expect.stringMatching(/解压后超过 50 MB/) });
    }
    const [{ stored }] = await t.db.query(`SELECT count(*)::int AS stored FROM import_job WHERE filename = $1`, [filename]);
    expect(stored).toBe(3);

    // Nothing died (the same processes), the service still answers, and the worker too stayed under 700 MB.
    expect(childProcesses(service.pid as number)).toEqual(processes);
    await request(url).get('/api/health').expect(200);
    await request(url).get('/api/me').set('Authorization', `Bearer ${dest}`).expect(200);
    expect(overLimit()).toEqual([]);
  }, 180_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The supervisor's children and their roles (`… main.ts api`). */
function childProcesses(pid: number): { pid: number; role: string }[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.map((child) => ({ pid: child, role: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) ?? '' }));
}

/** The most memory a process has held resident since it started (the kernel's high-water mark, VmHWM). */
function peakResidentMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Math.round(Number(kb) / 1024);
}

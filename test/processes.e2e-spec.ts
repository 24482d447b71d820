import { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import request from 'supertest';
import { serviceAnswering, spawnService, startTestApp, TestApp, waitFor } from './support/app';
import { daysAgo, newIdNumber, staffAt } from './support/people';
import { inflowBody, QUZHOU_COMMUNITY } from './support/builders';

// `npm start` (main.ts without a role): a supervisor with an API process and a worker process, each with its own
// database pool; a process that dies is started again, and SIGTERM stops them all.

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The roles of a process's children, from their command lines (`… main.ts api`). */
function childRoles(pid: number): { pid: number; role: string }[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.map((child) => ({ pid: child, role: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean).at(-1) ?? '' }));
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start: API and worker processes under one supervisor', () => {
  let t: TestApp;
  let service: ChildProcess;
  let url: string;

  beforeAll(async () => {
    // In this process only the schema, the admin and tokens; the service under test is the spawned one.
    t = await startTestApp({}, 'api');
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
  }, 90_000);
  afterAll(async () => {
    if (service && alive(service.pid as number)) service.kill('SIGKILL');
    await t?.close();
  });

  it('runs one API and one worker process; a registration through the API is delivered by the worker', async () => {
    const roles = childRoles(service.pid as number)
      .map((c) => c.role)
      .sort();
    expect(roles).toEqual(['api', 'worker']);
    const token = await staffAt(t, QUZHOU_COMMUNITY);
    const registered = await request(url)
      .post('/api/inflows')
      .set('Authorization', `Bearer ${token}`)
      .send(inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '进程' }, daysAgo(1)))
      .expect(201);
    await waitFor(
      async () => {
        const [row] = await t.db.query(`SELECT status FROM exchange WHERE case_id = $1 AND type = 'inflow_notice'`, [registered.body.caseId]);
        return row?.status === 'delivered';
      },
      20_000,
      'the notice delivered by the worker process',
    );
  }, 40_000);

  it('starts a killed API process again, and stops every process on SIGTERM', async () => {
    const api = childRoles(service.pid as number).find((c) => c.role === 'api') as { pid: number };
    process.kill(api.pid, 'SIGKILL');
    await waitFor(
      async () => {
        const now = childRoles(service.pid as number);
        return (
          now.some((c) => c.role === 'api' && c.pid !== api.pid) &&
          (
            await request(url)
              .get('/api/health')
              .catch(() => undefined)
          )?.status === 200
        );
      },
      30_000,
      'a new API process answering',
    );
    const children = childRoles(service.pid as number).map((c) => c.pid);
    const exited = new Promise((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
    await waitFor(() => Promise.resolve(children.every((pid) => !alive(pid))), 15_000, 'every child stopped');
  }, 60_000);
});

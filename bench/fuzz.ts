// npm run fuzz [-- N]: N (default 12 000) generated malformed requests against every write endpoint of the built
// service — wrong types, missing and unknown fields, 1 MB strings, bad check digits, impossible dates, SQL and HTML
// injection, invalid UTF-8, deep nesting, huge arrays, broken JSON. Every request is built to be invalid, so the
// bar is: no 5xx, no 2xx, and not one row written anywhere. Prints the counts; exits 1 when a bar is missed.
import { Client } from 'pg';
import { checkCharacter } from '@/common/identity';
import { DEST, fixtures, fuzzTargets, idNumber, ORIGIN, Target } from './fuzz-targets';
import { BenchStack, createUser, login, report, startBenchStack, startService, writeMarkdown, writeResults } from './lib';

const TABLES = [
  'person',
  'migrant_case',
  'inflow',
  'outflow',
  'exchange',
  'certificate',
  'import_job',
  'app_user',
  'rate_target',
  'idempotency_key',
  'rate_delta',
  'contact_event',
];

let seed = 20261123;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
const HUGE = 'x'.repeat(1_048_576);
const HOSTILE = [
  "' OR 1=1 --",
  "'; DROP TABLE inflow; --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '\u0000\u0001\u0002',
  '../../../../etc/passwd',
  '%00%ff',
  '\ud800',
  '𠜎𠜱𠝹𠱓'.repeat(100),
  'SELECT pg_sleep(10)',
  '1e309',
];
const WRONG_TYPES: unknown[] = [123, -1, 1.5, true, false, null, [], {}, [1, 2], { $gt: '' }, '', ' ', HUGE, 1e308, -0];
const BAD_DATES = ['2026-02-30', '2026-13-01', '0000-00-00', '9999-99-99', '2026-1-1', '20260101', 'yesterday', '2026-02-29T00:00:00Z', '1900-01-01'];
const BAD_CODES = ['000000000000', '99999999999', '9999999999999', 'abcdefghijkl', '330802005001 ', '-1', '3308020050011'];

type Body = Record<string, unknown>;

/** At least one change that makes the body invalid, then some that may or may not. */
function breakBody(target: Target): { body: string | Buffer; contentType: string } {
  const body: Body = target.body();
  const breakers = [
    () => (target.allOptional ? (body[pick(target.required)] = pick(['', [], {}, 'x'.repeat(300)])) : delete body[pick(target.required)]),
    // null may clear a field that is optional (a target), so it breaks only fields that are required.
    () => (body[pick(target.required)] = pick(WRONG_TYPES.filter((v) => v !== '' && !(target.allOptional && v === null)))),
    () => (body[`unknown_${Math.floor(random() * 100)}`] = pick(HOSTILE)),
    () => (body.__proto__polluted = { isAdmin: true }),
    () =>
      target.formatted.length
        ? (body[pick(target.formatted)] = pick(HOSTILE.filter((h) => h !== '1e309' && h !== 'SELECT pg_sleep(10)' && h !== '../../../../etc/passwd')))
        : (body.unknownField = 1),
    () => (target.formatted.length ? (body[pick(target.formatted)] = pick([...BAD_DATES, ...BAD_CODES])) : (body.unknownField = 2)),
    () => (body[pick(target.required)] = pick([HUGE, 'x'.repeat(300)])),
    () => {
      if (body.person && typeof body.person === 'object') {
        const first17 = idNumber().slice(0, 17);
        (body.person as Body).idNumber = `${first17}${pick('0123456789X'.split('').filter((c) => c !== checkCharacter(first17)))}`;
      } else body[pick(target.required)] = [];
    },
  ];
  pick(breakers)();
  // The breaker above already made it invalid; add noise: hostile text in free fields, nesting, arrays.
  for (let i = Math.floor(random() * 3); i > 0; i--) {
    const noise = [
      () => (body.address = pick(HOSTILE)),
      () => body.person && typeof body.person === 'object' && ((body.person as Body).name = pick(HOSTILE)),
      () => (body.children = Array.from({ length: 100_000 }, () => ({ sex: 'male', birthDate: '2020-01-01' }))),
      () => (body.payload = nest(200)),
      () => (body.extra = Array.from({ length: 50_000 }, (_, k) => k)),
    ];
    pick(noise)();
  }
  const roll = random();
  // Bodies broken below the JSON level.
  if (roll < 0.04) return { body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), contentType: 'application/json' };
  if (roll < 0.07) return { body: JSON.stringify(body).slice(0, Math.floor(random() * 40)), contentType: 'application/json' };
  if (roll < 0.09) return { body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, contentType: 'application/json' };
  if (roll < 0.11) return { body: JSON.stringify(body), contentType: pick(['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) };
  if (roll < 0.12) return { body: '', contentType: 'application/json' };
  if (roll < 0.13) return { body: JSON.stringify([body]), contentType: 'application/json' };
  if (roll < 0.14) return { body: 'null', contentType: 'application/json' };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

async function countRows(databaseUrl: string): Promise<Record<string, number>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  await db.end();
  return counts;
}

export async function fuzz(stack: BenchStack, requests: number): Promise<{ fivexx: number; written: number }> {
  await createUser(stack.databaseUrl, 'fuzz_dest', 'staff', DEST, 'fuzz-pass-1');
  await createUser(stack.databaseUrl, 'fuzz_origin', 'staff', ORIGIN, 'fuzz-pass-1');
  await createUser(stack.databaseUrl, 'fuzz_admin', 'admin', '000000000000', 'fuzz-pass-1');
  const service = await startService(stack, { BODY_LIMIT: String(4 * 1024 * 1024) });
  try {
    const [dest, origin, admin] = [
      await login(service.url, 'fuzz_dest', 'fuzz-pass-1'),
      await login(service.url, 'fuzz_origin', 'fuzz-pass-1'),
      await login(service.url, 'fuzz_admin', 'fuzz-pass-1'),
    ];
    const f = await fixtures(service.url, dest, origin, admin);
    // The fixtures' notices settle before counting starts.
    await new Promise((r) => setTimeout(r, 3_000));
    const targets = fuzzTargets({ dest, origin, admin }, f);
    // Bulk import refused at upload: an empty file, the wrong field name, a broken XLSX. (A readable CSV with wrong
    // columns is accepted and reported row by row, so it is not fuzzed here.)
    const uploads = async () => {
      const form = new FormData();
      const kind = random();
      const bytes =
        kind < 0.4 ? new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00]) : kind < 0.7 ? new Uint8Array() : new TextEncoder().encode('idNumber\n1\n');
      form.append(kind < 0.7 ? 'file' : 'upload', new Blob([bytes]), pick(['x.xlsx', 'x.csv', '../../x.xlsx']));
      return fetch(`${service.url}/api/inflows/import`, { method: 'POST', headers: { authorization: `Bearer ${dest}` }, body: form });
    };

    const before = await countRows(stack.databaseUrl);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < requests) {
          sent++;
          let res: Response;
          let what: string;
          let sentBody = '';
          if (random() < 0.03) {
            what = 'import';
            res = await uploads();
          } else {
            const target = pick(targets);
            const { body, contentType } = breakBody(target);
            what = `${target.method} ${target.name}`;
            sentBody = `${contentType} ${typeof body === 'string' ? body.slice(0, 300) : `<${body.length} bytes>`}`;
            const headers: Record<string, string> = { 'content-type': contentType };
            if (target.token) headers.authorization = `Bearer ${target.token}`;
            if (random() < 0.1) headers['idempotency-key'] = `fuzz-${Math.floor(random() * 1e9)}`;
            try {
              res = await fetch(`${service.url}${target.path}`, { method: target.method, headers, body });
            } catch {
              // The server answered (413) and closed the connection before a huge body was fully sent.
              statuses.set(0, (statuses.get(0) ?? 0) + 1);
              continue;
            }
          }
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if ((res.status >= 500 || res.status < 400) && failures.length < 20)
            failures.push(`${what} → ${res.status} ${text.slice(0, 160)}\n    sent: ${sentBody}`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    // Closed connections must not hide a crash: the service still answers.
    if (!(await fetch(`${service.url}/api/health`)).ok) throw new Error('the service no longer answers after the fuzz');
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await countRows(stack.databaseUrl);
    const written = TABLES.reduce((sum, table) => sum + Math.max(0, after[table] - before[table]), 0);
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
    const twoxx = [...statuses].filter(([s]) => s > 0 && s < 400).reduce((sum, [, n]) => sum + n, 0);
    for (const failure of failures) console.error(`[fuzz] ${failure}`);
    for (const table of TABLES) if (after[table] !== before[table]) console.error(`[fuzz] ${table}: ${before[table]} → ${after[table]}`);
    report({
      figure: 'fuzz.requests',
      value: sent,
      unit: 'requests',
      note: 'status 0: connection closed by the server after answering 413 to an oversized body',
      per_s: Math.round(sent / seconds),
      statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
    });
    report({ figure: 'fuzz.5xx', value: fivexx, unit: 'responses', bar: 0 });
    report({ figure: 'fuzz.accepted', value: twoxx, unit: 'responses', bar: 0 });
    report({ figure: 'fuzz.rows_written', value: written, unit: 'rows', bar: 0 });
    return { fivexx: fivexx + twoxx, written };
  } finally {
    await service.stop();
  }
}

if (require.main === module) {
  (async () => {
    const stack = await startBenchStack();
    try {
      const { fivexx, written } = await fuzz(stack, Number(process.argv[2] ?? 12_000));
      process.exitCode = fivexx === 0 && written === 0 ? 0 : 1;
    } finally {
      writeResults('fuzz');
      writeMarkdown();
      await stack.stop();
    }
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

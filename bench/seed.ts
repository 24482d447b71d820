// Realistic inflows, their inflow notices, outflows and people, written with COPY (quality.md: seeding B4 does not
// go through the API), then rolled up by rate_rebuild. Usable alone:
//   DATABASE_URL=… npx ts-node -r tsconfig-paths/register bench/seed.ts 1000000 [province]
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { checkCharacter } from '@/common/identity';
import { IdCipher } from '@/common/id-cipher';
import { AppConfig, DEV_DATA_KEY } from '@/config/config';
import { prng } from '../test/support/builders';
import { BenchStack, report, startBenchStack } from './lib';

const DAY = 86_400_000;
const BATCH = 500_000;

/** Sequential uuids per table (kind 0–15): appends to the primary-key index instead of random inserts. */
function seedUuid(kind: number, i: number): string {
  return `5eed${kind.toString(16)}000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

interface Places {
  destinations: string[];
  originsInside: string[];
  originsOutside: string[];
}

async function places(db: Client, province: string): Promise<Places> {
  const villages = async (where: string, limit: number): Promise<string[]> =>
    (await db.query(`SELECT code FROM jurisdiction WHERE level = 'village' AND ${where} ORDER BY md5(code) LIMIT ${limit}`, [province])).rows.map(
      (r) => r.code,
    );
  return {
    destinations: await villages(`left(code, 2) = $1`, 1_000_000),
    originsInside: await villages(`left(code, 2) = $1`, 5_000),
    originsOutside: await villages(`left(code, 2) <> $1 AND left(code, 2) IN ('42', '43', '45', '51', '52', '36', '41')`, 10_000),
  };
}

// People as the lists show them: common surnames and given names (the name search's selectivity is that of real
// names), a valid ID number of the household county, sealed with the key the benchmarked service runs with (NODE_ENV
// test: the development key), so every view that reads it (the age on the inbox, 显示完整号码) works on seeded rows.
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文玉梅林海波晓东辉鹏飞宇浩然子涵欣怡佳琪思雨俊杰婷雪梦琳嘉豪';
const cipher = new IdCipher({ dataKey: DEV_DATA_KEY } as AppConfig);

const BIRTH_DAYS = 20_075; // 1950-01-01 to 2004-12-17

/** Person i of the seed: a name, and an ID number born 1950–2004 in the household's county (male when i is odd). */
export function seedPerson(i: number, householdCode: string): { name: string; idNumber: string } {
  const random = prng(i * 104_729 + 3);
  const pick = (chars: string) => chars[Math.floor(random() * chars.length)];
  const name = pick(SURNAMES) + pick(GIVEN) + (random() < 0.7 ? pick(GIVEN) : '');
  // Birth day and sequence from i itself, so no two people of a county share a number below 10 M people.
  const birth = new Date(Date.UTC(1950, 0, 1) + (i % BIRTH_DAYS) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const sequence = (Math.floor(i / BIRTH_DAYS) % 500) * 2 + (i % 2);
  const first17 = `${householdCode.slice(0, 6)}${birth}${String(sequence).padStart(3, '0')}`;
  return { name, idNumber: first17 + checkCharacter(first17) };
}

/** The index of a seeded person from its id (seedUuid(1, i)). */
export function seedIndex(personId: string): number {
  return parseInt(personId.slice(-12), 16);
}

const iso = (ms: number) => new Date(ms).toISOString();
const township = (code: string) => `${code.slice(0, 9)}000`;

/** Rows [start, start + count) of each table as COPY text, generated lazily. */
function* rows(table: 'person' | 'migrant_case' | 'inflow' | 'exchange' | 'outflow', start: number, count: number, p: Places, now: number): Generator<string> {
  for (let i = start; i < start + count; i++) {
    const random = prng(i * 7919 + 17);
    const inside = random() < 0.5;
    const household = inside
      ? p.originsInside[Math.floor(random() * p.originsInside.length)]
      : p.originsOutside[Math.floor(random() * p.originsOutside.length)];
    const destination = p.destinations[Math.floor(random() * p.destinations.length)];
    // Two years of registrations; 93 % submitted within the limit, 4 % late, the rest drafts or not yet.
    const registered = now - 60_000 - Math.floor(random() * 700 * DAY);
    const due = registered + 15 * DAY;
    const roll = random();
    let submitted: number | null =
      roll < 0.93
        ? registered + (random() < 0.8 ? 1_000 : Math.floor(random() * 14 * DAY))
        : roll < 0.97
          ? registered + 16 * DAY + Math.floor(random() * 14 * DAY)
          : null;
    if (submitted !== null && submitted > now) submitted = null;
    let closed: number | null = submitted !== null && random() < 0.2 ? submitted + 30 * DAY + Math.floor(random() * 270 * DAY) : null;
    if (closed !== null && closed > now) closed = null;
    const delivered = submitted !== null ? submitted + 1_000 : null;
    const replyDue = delivered !== null ? delivered + 30 * DAY : null;
    const r2 = random();
    let replied: number | null =
      delivered === null
        ? null
        : r2 < 0.85
          ? delivered + Math.floor(random() * 10 * DAY)
          : r2 < 0.93
            ? delivered + 31 * DAY + Math.floor(random() * 30 * DAY)
            : null;
    if (replied !== null && replied > now) replied = null;
    const hasOutflow = random() < 0.3;
    const outflowAt = registered - Math.floor(random() * 30 * DAY);
    const outflowClosed = random() < 0.1 && registered + 60 * DAY < now ? registered + 60 * DAY : null;
    const N = '\\N';
    switch (table) {
      case 'person': {
        const { name, idNumber } = seedPerson(i, household);
        yield tsv(
          seedUuid(1, i),
          cipher.hash(idNumber),
          cipher.encrypt(idNumber),
          `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`,
          name,
          i % 2 ? 'male' : 'female',
          household,
        );
        break;
      }
      case 'migrant_case':
        yield tsv(seedUuid(2, i), seedUuid(1, i), township(household), township(destination), iso(registered), closed ? iso(closed) : N);
        break;
      case 'inflow':
        yield tsv(
          seedUuid(3, i),
          seedUuid(2, i),
          seedUuid(1, i),
          household,
          destination,
          township(household),
          township(destination),
          '测试地址',
          iso(registered).slice(0, 10),
          'work',
          'unmarried',
          'none',
          'not_required',
          submitted === null ? 'draft' : closed ? 'departed' : 'active',
          iso(registered),
          submitted ? iso(submitted) : N,
          iso(due),
          closed ? iso(closed) : N,
        );
        break;
      case 'exchange':
        if (delivered !== null) {
          yield tsv(
            seedUuid(4, i),
            seedUuid(2, i),
            'inflow_notice',
            township(destination),
            township(household),
            destination,
            household,
            'true',
            'P30D',
            replied ? 'replied' : 'delivered',
            iso(submitted as number),
            iso(submitted as number),
            iso(delivered),
            iso(replyDue as number),
            replied ? iso(replied) : N,
            replied ? 'confirmed' : N,
            '1',
          );
        }
        break;
      case 'outflow':
        if (hasOutflow) {
          const departed = iso(outflowAt);
          yield tsv(
            seedUuid(5, i),
            seedUuid(2, i),
            seedUuid(1, i),
            household,
            township(household),
            departed.slice(0, 10),
            outflowClosed ? 'returned' : 'active',
            departed,
            outflowClosed ? iso(outflowClosed) : N,
          );
        }
        break;
    }
  }
}

const COLUMNS = {
  person: 'id, id_hash, id_cipher, id_masked, name, sex, household_code',
  migrant_case: 'id, person_id, origin_township_code, destination_township_code, opened_at, closed_at',
  inflow: [
    'id, case_id, person_id, household_code, destination_code, origin_township_code, destination_township_code, address, arrival_date, reason',
    'marital_status, contraception, certificate_check, status, registered_at, submitted_at, submission_due_at, closed_at',
  ].join(', '),
  exchange: [
    'id, case_id, type, from_code, to_code, from_unit_code, to_unit_code, needs_reply, reply_limit, status, sent_at, enqueued_at, delivered_at',
    'due_at, replied_at, reply_outcome, attempts',
  ].join(', '),
  outflow: 'id, case_id, person_id, household_code, origin_township_code, departure_date, status, registered_at, closed_at',
};

/** One COPY line (text format): the fields tab-separated. */
function tsv(...fields: string[]): string {
  return `${fields.join('\t')}\n`;
}

/**
 * Adds people [start, start + count) of the province: each one inflow, its notice when submitted, sometimes an
 * outflow. Triggers are off during COPY; the contact breakpoints come from the same view the triggers use, and the
 * roll-up is rebuilt from the raw rows at the end (rate_rebuild).
 */
export async function seed(databaseUrl: string, start: number, count: number, province = '44', log: (m: string) => void = () => undefined): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  let indexes: { name: string; def: string }[] = [];
  try {
    await db.query(`SET work_mem = '256MB'`);
    await db.query(`SET maintenance_work_mem = '1GB'`);
    const p = await places(db, province);
    const now = Date.now();
    // A big load writes faster with the secondary indexes built once afterwards than maintained row by row.
    const bulk = count >= 1_000_000;
    indexes = bulk
      ? (
          await db.query(
            `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
              WHERE i.schemaname = 'public' AND i.tablename IN ('person', 'migrant_case', 'inflow', 'exchange', 'outflow')
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
          )
        ).rows
      : [];
    for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
    for (let from = start; from < start + count; from += BATCH) {
      const size = Math.min(BATCH, start + count - from);
      const began = Date.now();
      const steps: string[] = [];
      await db.query('BEGIN');
      await db.query(`SET LOCAL session_replication_role = replica`);
      for (const table of ['person', 'migrant_case', 'inflow', 'exchange', 'outflow'] as const) {
        const stream = db.query(copyFrom(`COPY ${table} (${COLUMNS[table]}) FROM STDIN`));
        const t0 = Date.now();
        await pipeline(Readable.from(rows(table, from, size, p, now)), stream);
        steps.push(`${table} ${Date.now() - t0} ms`);
      }
      await db.query('COMMIT');
      log(`seeded ${from + size} people (+${size} in ${((Date.now() - began) / 1000).toFixed(1)} s: ${steps.join(', ')})`);
    }
    await restore(db, indexes, log);
    let began = Date.now();
    await db.query(
      `INSERT INTO contact_event (person_id, code, at, d_den, d_num)
       SELECT s.person_id, p.household_code, s.at, s.d_den, s.d_num
         FROM contact_event_source s JOIN person p ON p.id = s.person_id
        WHERE s.person_id BETWEEN $1 AND $2`,
      [seedUuid(1, start), seedUuid(1, start + count - 1)],
    );
    log(`contact breakpoints in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    // The roll-up of everything at once: a sorted bulk insert, far cheaper than folding millions of deltas.
    began = Date.now();
    await db.query(`SELECT rate_rebuild(false)`);
    log(`roll-up rebuilt in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    // What autovacuum does to a table in service: statistics, and the visibility map that lets the rates' correction
    // scans stay index-only. A fresh bulk load has neither until it runs.
    began = Date.now();
    await db.query(`VACUUM (ANALYZE) person, migrant_case, inflow, exchange, outflow, contact_event, rate_rollup, rate_rollup_month`);
    log(`vacuumed in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    await restore(db, indexes, log).catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

async function restore(db: Client, indexes: { name: string; def: string }[], log: (m: string) => void): Promise<void> {
  if (!indexes.length) return;
  const began = Date.now();
  for (const index of indexes) await db.query(index.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX IF NOT EXISTS '));
  log(`${indexes.length} indexes rebuilt in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** How many people this seed has written into the database (their ids are seedUuid(1, i)). */
export async function seededPeople(databaseUrl: string): Promise<number> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM person WHERE id BETWEEN '5eed1000-0000-4000-8000-000000000000' AND '5eed1000-0000-4000-8000-ffffffffffff'`,
    );
    return rows[0].n as number;
  } finally {
    await db.end();
  }
}

/** Seeds 广东 up to `size` people if it holds fewer, reporting `<tag>.seed_<size>_s`. */
export async function seedTo(databaseUrl: string, size: number, tag: string): Promise<void> {
  const seeded = await seededPeople(databaseUrl);
  if (size <= seeded) return;
  const started = Date.now();
  await seed(databaseUrl, seeded, size - seeded, '44', (m) => console.error(`[${tag} seed] ${m}`));
  report({ figure: `${tag}.seed_${size}_s`, value: Math.round((Date.now() - started) / 1000), unit: 's', note: 'COPY + indexes + roll-up rebuild' });
}

/**
 * Runs `measure` over ascending sizes. A kept stack (--stack-dir) may hold people seeded by an earlier run: sizes it
 * is already past are measured in this same run on a fresh stack of their own, the others on the kept one.
 */
export async function atSizes(stack: BenchStack, sizes: number[], tag: string, measure: (on: BenchStack, sizes: number[]) => Promise<void>): Promise<void> {
  const kept = await seededPeople(stack.databaseUrl);
  const smaller = sizes.filter((size) => size < kept);
  if (smaller.length) {
    console.error(`[${tag}] the kept database holds ${kept} seeded people: ${smaller.join(', ')} on a fresh stack`);
    const fresh = await startBenchStack();
    try {
      await measure(fresh, smaller);
    } finally {
      await fresh.stop();
    }
  }
  const rest = sizes.filter((size) => size >= kept);
  if (rest.length) await measure(stack, rest);
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 1_000_000);
  seed(process.env.DATABASE_URL as string, Number(process.env.SEED_START ?? 0), count, process.argv[3] ?? '44', console.log).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

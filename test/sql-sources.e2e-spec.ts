import { Client } from 'pg';
import { townshipOf } from '@/common/division-code';
import { EXCHANGE_TYPE_RULES } from '@/common/exchange-types';
import { applySqlSources, declaredObjects, readSqlSources, sqlDrift } from '@/database/sql-sources';
import { testConfig } from './support/env';

// Every function, view and trigger lives once, in an SQL source file (src/database/sql-sources.ts): the database set up
// by `npm run setup` holds exactly what the files say, nothing a migration alone defined, and setup applies only the
// files that changed.
describe('SQL source files (functions, views, triggers in one current home)', () => {
  let owner: Client;

  beforeAll(async () => {
    // The template every worker's database is copied from, as `npm run setup` left it: other test files leave
    // functions of their own (slow deliveries, refused imports) in the workers' databases.
    const url = new URL(testConfig().databaseUrl);
    url.pathname = '/liudong_test_template';
    owner = new Client({ connectionString: url.toString() });
    await owner.connect();
  });
  afterAll(() => owner.end());

  const helpers = () => readSqlSources().find((s) => s.file === 'database/sql/helpers.sql')!;

  it('leaves the database exactly as the files define it: no object only a migration defined, none missing, none different', async () => {
    expect(await sqlDrift(owner)).toEqual([]);
    const declared = declaredObjects(readSqlSources());
    // The rules the registration and the rates run on are among them (a sample, not the list).
    for (const name of ['function register_inflow', 'function submission_notices', 'function close_case_if_ended', 'view contact_event_source']) {
      expect(declared).toContain(name);
    }
    expect(declared).toContain('trigger inflow.inflow_rates_ins');
  });

  it('finds a function changed by hand and one that no file defines', async () => {
    try {
      await owner.query(`CREATE OR REPLACE FUNCTION township_of(code text) RETURNS varchar LANGUAGE sql IMMUTABLE RETURN left(code, 6) || '000000'`);
      await owner.query(`CREATE FUNCTION stray_rule() RETURNS int LANGUAGE sql RETURN 1`);
      expect((await sqlDrift(owner)).sort()).toEqual([
        'function stray_rule(): in the database but in no SQL source file',
        'function township_of(text): differs from its SQL source file',
      ]);
    } finally {
      await owner.query(`DROP FUNCTION IF EXISTS stray_rule()`);
      await owner.query(helpers().text);
    }
    expect(await sqlDrift(owner)).toEqual([]);
  });

  it('applies a changed file once, and skips the files that did not change', async () => {
    const sources = readSqlSources();
    expect(await applySqlSources(owner, sources)).toEqual([]);
    const edited = sources.map((s) => (s.file === 'modules/cases/sql/case.sql' ? { ...s, text: `${s.text}\n-- edited`, checksum: 'x'.repeat(64) } : s));
    try {
      expect(await applySqlSources(owner, edited)).toEqual(['modules/cases/sql/case.sql']);
      expect(await applySqlSources(owner, edited)).toEqual([]);
    } finally {
      expect(await applySqlSources(owner, sources)).toEqual(['modules/cases/sql/case.sql']);
    }
  });

  it('gives the township of a code the same in SQL (township_of) as in TypeScript (townshipOf)', async () => {
    const codes = ['421381101201', '421381101000', '421381000000', '330802004001', '110101001001'];
    const { rows } = await owner.query<{ code: string; township: string }>(`SELECT code, township_of(code) AS township FROM unnest($1::text[]) AS code`, [
      codes,
    ]);
    expect(rows.map((r) => r.township)).toEqual(codes.map(townshipOf));
  });

  it('holds in the database exactly the exchange types of the one table the service and the console read', async () => {
    const { rows } = await owner.query<{ type: string; needs_reply: boolean; manual: boolean }>(
      `SELECT type, needs_reply, manual FROM exchange_type ORDER BY type`,
    );
    expect(rows).toEqual(
      Object.entries(EXCHANGE_TYPE_RULES)
        .map(([type, rule]) => ({ type, needs_reply: rule.needsReply, manual: rule.manual }))
        .sort((a, b) => a.type.localeCompare(b.type)),
    );
    // A message of a type the table does not know is refused by the database itself: exchange.type refers to it.
    const { rows: keys } = await owner.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'exchange'::regclass AND contype = 'f' AND conname = 'exchange_type_fkey'`,
    );
    expect(keys).toEqual([{ def: 'FOREIGN KEY (type) REFERENCES exchange_type(type)' }]);
  });
});

import { Client } from 'pg';
import { runSetup } from '@/cli/setup';
import { testConfig } from './support/env';

describe('npm run setup', () => {
  it('is idempotent: a second run on a set-up database changes nothing', async () => {
    const config = testConfig();
    const result = await runSetup(config);
    expect(result.migrations).toEqual([]);
    expect(result.sqlSources).toEqual([]);
    expect(result.appRole).toEqual({ role: 'liudong_app', created: false });
    expect(result.adminCreated).toBe(false);
    expect(result.jurisdictions).toMatchObject({ inserted: 0, updated: 0 });
    expect(result.jurisdictions.total).toBeGreaterThan(660000);
  });

  it("gives the service's role a table a later migration adds, and takes back what was granted by hand", async () => {
    const config = testConfig();
    const owner = new Client({ connectionString: config.databaseUrl });
    await owner.connect();
    const privileges = async (table: string) =>
      (
        await owner.query<Record<string, boolean>>(
          `SELECT ${['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER'].map((p) => `has_table_privilege($1, $2, '${p}') AS "${p}"`).join(', ')}`,
          [config.databaseAppRole, table],
        )
      ).rows[0];
    try {
      await owner.query(`CREATE TABLE setup_probe (id int)`);
      await owner.query(`GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_log TO ${config.databaseAppRole}`);
      await runSetup(config);
      expect(await privileges('setup_probe')).toEqual({ SELECT: true, INSERT: true, UPDATE: true, DELETE: true, TRUNCATE: false, TRIGGER: false });
      expect(await privileges('audit_log')).toEqual({ SELECT: true, INSERT: true, UPDATE: false, DELETE: false, TRUNCATE: false, TRIGGER: false });
    } finally {
      await owner.query(`DROP TABLE IF EXISTS setup_probe`);
      await owner.end();
    }
  });
});

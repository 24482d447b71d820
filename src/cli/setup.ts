import * as argon2 from 'argon2';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ROOT_CODE } from '@/common/division-code';
import { AppConfig, ConfigError, loadConfig } from '@/config/config';
import { ensureAppRole } from '@/database/app-role';
import { dataSourceOptions } from '@/database/data-source-options';
import { syncExchangeTypes } from '@/database/exchange-type-table';
import { applySqlSources } from '@/database/sql-sources';
import { syncWorkingCalendar } from '@/database/working-calendar';
import { loadJurisdictions } from '@/modules/jurisdictions/jurisdiction-loader';
import { PASSWORD_HASH_OPTIONS } from '@/modules/users/users.service';

export interface SetupResult {
  migrations: string[];
  /** The SQL source files applied because they changed (src/database/sql-sources.ts). */
  sqlSources: string[];
  /** The service's login role (DATABASE_APP_ROLE) and whether this run created it. */
  appRole: { role: string; created: boolean };
  jurisdictions: { loaded: boolean; inserted: number; updated: number; total: number; ms: number };
  adminCreated: boolean;
}

/**
 * Idempotent: migrations, the SQL source files that changed, the service's role and its grants (after the migrations, so new tables get theirs), the
 * national division table, the bootstrap admin. Safe to run on every deploy; runs as DATABASE_URL's role, the owner.
 */
export async function runSetup(config: AppConfig, log: (message: string) => void = () => undefined): Promise<SetupResult> {
  const dataSource = new DataSource(dataSourceOptions(config.databaseUrl));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    log(applied.length ? `migrations applied: ${applied.map((m) => m.name).join(', ')}` : 'migrations: up to date');

    const client = new Client({ connectionString: config.databaseUrl });
    await client.connect();
    let jurisdictions: SetupResult['jurisdictions'];
    let appRole: SetupResult['appRole'];
    let sqlSources: string[];
    try {
      const typesChanged = await syncExchangeTypes(client);
      if (typesChanged) log(`exchange types: ${typesChanged} added or changed`);
      // Functions, views and triggers from their files, before the grants (the service's role executes them).
      sqlSources = await applySqlSources(client);
      log(sqlSources.length ? `SQL sources applied: ${sqlSources.join(', ')}` : 'SQL sources: up to date');
      await client.query('BEGIN');
      const calendarChanged = await syncWorkingCalendar(client, config.calendar);
      await client.query('COMMIT');
      log(calendarChanged ? 'working-day calendar written' : 'working-day calendar: up to date');
      appRole = { role: config.databaseAppRole, ...(await ensureAppRole(client, config.databaseAppRole, config.databaseAppPassword, log)) };
      jurisdictions = await loadJurisdictions(client, log);
    } finally {
      await client.end();
    }

    const adminCreated = await ensureBootstrapAdmin(dataSource, config);
    log(adminCreated ? `bootstrap admin "${config.bootstrapAdminUsername}" created at ${ROOT_CODE} 全国` : 'bootstrap admin: exists');
    return { migrations: applied.map((m) => m.name), sqlSources, appRole, jurisdictions, adminCreated };
  } finally {
    await dataSource.destroy();
  }
}

async function ensureBootstrapAdmin(dataSource: DataSource, config: AppConfig): Promise<boolean> {
  const username = config.bootstrapAdminUsername;
  const [existing] = await dataSource.query(`SELECT id FROM app_user WHERE lower(username) = lower($1)`, [username]);
  if (existing) return false;
  if (!config.bootstrapAdminPassword || config.bootstrapAdminPassword.length < 8) {
    throw new ConfigError(['BOOTSTRAP_ADMIN_PASSWORD is required (at least 8 characters) to create the first admin']);
  }
  const hash = await argon2.hash(config.bootstrapAdminPassword, PASSWORD_HASH_OPTIONS);
  const rows: unknown[] = await dataSource.query(
    `INSERT INTO app_user (username, password_hash, display_name, role, jurisdiction_code)
     VALUES ($1, $2, '系统管理员', 'admin', $3) ON CONFLICT DO NOTHING RETURNING id`,
    [username, hash, ROOT_CODE],
  );
  return rows.length > 0;
}

if (require.main === module) {
  const started = Date.now();
  runSetup(loadConfig(), (m) => console.log(`[setup] ${m}`))
    .then(() => console.log(`[setup] done in ${((Date.now() - started) / 1000).toFixed(1)} s`))
    .catch((error: unknown) => {
      console.error(error instanceof ConfigError ? error.message : error);
      process.exit(1);
    });
}

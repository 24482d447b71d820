import { startTestApp, TestApp } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// quality.md "Trust between the sides": the service connects as its own login role (DATABASE_APP_ROLE), neither
// superuser nor owner of any table, with INSERT and SELECT only on the audit log. Everything here goes through the
// service's own connection, the one every request uses.

const QUZHOU_COMMUNITY = '330802005001';

describe('the database role the service connects as', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** What PostgreSQL answers the service's connection to a statement, in a transaction rolled back afterwards. */
  async function outcome(sql: string): Promise<string> {
    const runner = t.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(sql);
      return 'done';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('is DATABASE_APP_ROLE: not superuser, no special attributes, owning no table and a member of no role', async () => {
    const [me] = await t.db.query(
      `SELECT current_user AS role, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication
         FROM pg_roles WHERE rolname = current_user`,
    );
    expect(me).toEqual({ role: 'liudong_app', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolreplication: false });
    expect(t.config.databaseAppRole).toBe('liudong_app');
    // Owned directly or through a role it belongs to (pg_has_role follows memberships).
    const owned = await t.db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND pg_has_role(current_user, c.relowner, 'USAGE')`,
    );
    expect(owned).toEqual([]);
    const [{ memberships }] = await t.db.query(
      `SELECT count(*)::int AS memberships FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user`,
    );
    expect(memberships).toBe(0);
  });

  it('cannot switch off, rewrite or empty the audit log, nor change the schema', async () => {
    const statements = [
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete',
      'ALTER TABLE audit_log DISABLE TRIGGER ALL',
      'DROP TRIGGER audit_log_no_update_delete ON audit_log',
      'SET session_replication_role = replica',
      `UPDATE audit_log SET action = 'x'`,
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
      'ALTER TABLE person ADD COLUMN evil text',
      'CREATE TABLE evil (id int)',
      `CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
      `INSERT INTO typeorm_migrations (timestamp, name) VALUES (1, 'Evil1')`,
    ];
    const answers = Object.fromEntries(await Promise.all(statements.map(async (sql) => [sql, await outcome(sql)])));
    const refused = /^(must be owner of|permission denied)/;
    expect(answers).toEqual(Object.fromEntries(statements.map((sql) => [sql, expect.stringMatching(refused)])));
  });

  it('still does the work of the service: a registration and its audit row', async () => {
    const token = await staffAt(t, QUZHOU_COMMUNITY);
    const created = await registerInflow(t, token, inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '权限测试' }, daysAgo(2)));
    const rows = await t.db.query(`SELECT action FROM audit_log WHERE entity = 'inflow' AND entity_id = $1`, [created.id]);
    expect(rows).toEqual([{ action: 'create' }]);
    const admin = await t.token();
    const audit = await t.http().get(`/api/audit?entity=inflow&entityId=${created.id}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(audit.body.total).toBe(1);
  });
});

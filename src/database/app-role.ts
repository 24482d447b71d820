import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ClientBase } from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { ConfigError } from '@/config/config';

/** Tables the service only appends to and reads: evidence it must not be able to rewrite. */
const APPEND_ONLY = ['audit_log'];
/** Tables the service only reads: which migrations ran, and since when months are frozen, are the owner's record. */
const READ_ONLY = ['typeorm_migrations', 'assessment_epoch'];
const LOCK_KEY = 'liudong_app_role';
const SCRAM_ITERATIONS = 4096;

/**
 * The password as PostgreSQL stores it (SCRAM-SHA-256, RFC 5802/7677), so the clear text never appears in a statement
 * the server may log (`log_statement = ddl`). The password is printable ASCII (config.ts): SASLprep leaves it as is.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

interface RoleRow {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolbypassrls: boolean;
  rolreplication: boolean;
  rolcanlogin: boolean;
}

/**
 * The service's login role (DATABASE_APP_ROLE), brought to exactly what the service needs, on a connection as the
 * owner: created if missing with no special attributes, its password set, member of no other role, owner of nothing;
 * reading and writing every table of the schema (the ones later migrations add too: setup runs this after them),
 * but only appending to and reading the audit log. Everything else a table's owner may do (ALTER TABLE … DISABLE
 * TRIGGER, TRUNCATE, triggers, ownership) stays with the owner, as does `session_replication_role` (superuser only).
 * One transaction: a running service sees the old grants or the new, never none.
 */
export async function ensureAppRole(
  client: ClientBase,
  role: string,
  password: string,
  log: (message: string) => void = () => undefined,
): Promise<{ created: boolean }> {
  const [{ owner, database, schema }] = (
    await client.query<{ owner: string; database: string; schema: string }>(
      `SELECT current_user AS owner, current_database() AS database, current_schema() AS schema`,
    )
  ).rows;
  if (owner === role) throw new ConfigError([`DATABASE_APP_ROLE "${role}" is DATABASE_URL's role: setup must run as the tables' owner, another role`]);
  const app = escapeIdentifier(role);
  const ns = escapeIdentifier(schema);
  let created = false;
  await client.query('BEGIN');
  try {
    // Two nodes running setup at once would otherwise update the same catalog rows (tuple concurrently updated).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [LOCK_KEY]);
    const [existing] = (
      await client.query<RoleRow>(`SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = $1`, [
        role,
      ])
    ).rows;
    if (!existing) {
      await client.query(`CREATE ROLE ${app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION`);
      created = true;
    } else {
      // Only what differs: changing some attributes needs a superuser even to set them to what they already are.
      const fix = [
        existing.rolsuper && 'NOSUPERUSER',
        existing.rolcreatedb && 'NOCREATEDB',
        existing.rolcreaterole && 'NOCREATEROLE',
        existing.rolbypassrls && 'NOBYPASSRLS',
        existing.rolreplication && 'NOREPLICATION',
        !existing.rolcanlogin && 'LOGIN',
      ].filter(Boolean);
      if (fix.length) await client.query(`ALTER ROLE ${app} ${fix.join(' ')}`);
    }
    await client.query(`ALTER ROLE ${app} PASSWORD ${escapeLiteral(scramVerifier(password))}`);

    // A member of another role has that role's rights (the owner's, or pg_write_all_data's): it is a member of none.
    const memberships = async () =>
      (
        await client.query<{ name: string; grantor: string }>(
          `SELECT g.rolname AS name, gr.rolname AS grantor FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member JOIN pg_roles gr ON gr.oid = m.grantor
            WHERE r.rolname = $1`,
          [role],
        )
      ).rows;
    for (const { name, grantor } of await memberships()) {
      await client.query(`REVOKE ${escapeIdentifier(name)} FROM ${app} GRANTED BY ${escapeIdentifier(grantor)}`);
    }
    const kept = await memberships();
    if (kept.length)
      throw new ConfigError([`DATABASE_APP_ROLE "${role}" must be a member of no role; setup could not revoke ${kept.map((m) => m.name).join(', ')}`]);
    const [{ owned }] = (
      await client.query<{ owned: number }>(
        `SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid) + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)
              + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)
              + (SELECT count(*) FROM pg_type WHERE typowner = r.oid AND typrelid = 0 AND typcategory <> 'A') AS owned
           FROM pg_roles r WHERE r.rolname = $1`,
        [role],
      )
    ).rows;
    if (Number(owned) > 0) {
      throw new ConfigError([
        `DATABASE_APP_ROLE "${role}" owns ${owned} objects in database "${database}"; it must own nothing: ` +
          `REASSIGN OWNED BY ${app} TO ${escapeIdentifier(owner)}`,
      ]);
    }

    // Up to PostgreSQL 14 every role may create objects in the public schema; whoever can create may shadow a function.
    await client.query(`REVOKE CREATE ON SCHEMA ${ns} FROM PUBLIC`);
    await client.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${app}`);
    await client.query(`REVOKE ALL ON SCHEMA ${ns} FROM ${app}`);
    await client.query(`GRANT USAGE ON SCHEMA ${ns} TO ${app}`);
    // From nothing each time, so a privilege granted by hand (TRUNCATE, TRIGGER) does not survive a setup.
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ns} FROM ${app}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${ns} TO ${app}`);
    const tables = (
      await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY($2)`,
        [schema, [...APPEND_ONLY, ...READ_ONLY]],
      )
    ).rows.map((r) => r.name);
    for (const table of tables.filter((t) => APPEND_ONLY.includes(t)))
      await client.query(`REVOKE UPDATE, DELETE ON ${ns}.${escapeIdentifier(table)} FROM ${app}`);
    for (const table of tables.filter((t) => READ_ONLY.includes(t))) {
      await client.query(`REVOKE INSERT, UPDATE, DELETE ON ${ns}.${escapeIdentifier(table)} FROM ${app}`);
    }
    // No UPDATE: the service never sets a sequence (setval), it only draws from it.
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${ns} FROM ${app}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${ns} TO ${app}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${ns} TO ${app}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  log(`app role "${role}" ${created ? 'created' : 'updated'}: not superuser, owns nothing, audit_log INSERT and SELECT only`);
  return { created };
}

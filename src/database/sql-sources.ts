import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientBase } from 'pg';

/**
 * The SQL that is code, not history: every function, view and trigger, once, in the module that owns it, in the order
 * they are applied (helpers first; a trigger after its function). `npm run setup` applies a file after the migrations
 * when its checksum differs from the one recorded in `sql_source`; each file is written to be run again
 * (CREATE OR REPLACE). Migrations keep tables, indexes and data changes (docs/decisions.md, "SQL in one home").
 */
export const SQL_SOURCES = [
  'database/sql/helpers.sql',
  'modules/audit/sql/audit-log.sql',
  'modules/persons/sql/person.sql',
  'modules/cases/sql/case.sql',
  'modules/rates/sql/contact.sql',
  'modules/rates/sql/flows.sql',
  'modules/rates/sql/rollup.sql',
  'modules/inflows/sql/register.sql',
  'modules/assessments/sql/assessment.sql',
] as const;

export interface SqlSource {
  file: string;
  text: string;
  checksum: string;
}

/** src/ when run from the sources, dist/src/ once built (nest-cli.json copies the .sql files beside the code). */
const ROOT = join(__dirname, '..');

export function readSqlSources(): SqlSource[] {
  return SQL_SOURCES.map((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return { file, text, checksum: createHash('sha256').update(text).digest('hex') };
  });
}

/**
 * Applies the files that changed since they were last applied, in one transaction (a running service sees the old
 * definitions or the new, never a mix), one setup at a time. Returns the files applied.
 */
export async function applySqlSources(client: ClientBase, sources = readSqlSources()): Promise<string[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('sql_source'))`);
    const { rows } = await client.query<{ file: string; checksum: string }>(`SELECT file, checksum FROM sql_source`);
    const applied = new Map(rows.map((r) => [r.file, r.checksum]));
    const changed = sources.filter((s) => applied.get(s.file) !== s.checksum);
    for (const source of changed) {
      await client.query(source.text);
      await client.query(
        `INSERT INTO sql_source (file, checksum) VALUES ($1, $2)
         ON CONFLICT (file) DO UPDATE SET checksum = excluded.checksum, applied_at = now()`,
        [source.file, source.checksum],
      );
    }
    await client.query('COMMIT');
    return changed.map((s) => s.file);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

/** A function (by name), view or trigger (`table.trigger`) as the database holds it, with its definition. */
type Definitions = Map<string, string>;

async function definitionsIn(client: ClientBase): Promise<Definitions> {
  const { rows } = await client.query<{ key: string; def: string }>(`
    SELECT 'function ' || p.oid::regprocedure::text AS key, pg_get_functiondef(p.oid) AS def
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'view ' || c.relname, pg_get_viewdef(c.oid)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
    UNION ALL
    SELECT 'trigger ' || c.relname || '.' || t.tgname, pg_get_triggerdef(t.oid)
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND NOT t.tgisinternal`);
  return new Map(rows.map((r) => [r.key, r.def]));
}

/** The objects the files declare: `function name`, `view name`, `trigger table.name`. */
export function declaredObjects(sources: SqlSource[]): Set<string> {
  const declared = new Set<string>();
  for (const { text } of sources) {
    const code = text.replace(/--.*$/gm, '');
    for (const m of code.matchAll(/CREATE OR REPLACE FUNCTION\s+(\w+)\s*\(/gi)) declared.add(`function ${m[1]}`);
    for (const m of code.matchAll(/CREATE OR REPLACE VIEW\s+(\w+)/gi)) declared.add(`view ${m[1]}`);
    for (const m of code.matchAll(/CREATE OR REPLACE TRIGGER\s+(\w+)[\s\S]*?\sON\s+(\w+)/gi)) declared.add(`trigger ${m[2]}.${m[1]}`);
  }
  return declared;
}

/**
 * What differs between the database and the files, in words: an object no file declares (defined only by a migration
 * or by hand), one a file declares that the database lacks, one whose definition is not the file's. Found by applying
 * every file inside a transaction that is rolled back, and comparing the definitions before and after.
 */
export async function sqlDrift(client: ClientBase, sources = readSqlSources()): Promise<string[]> {
  const declared = declaredObjects(sources);
  const nameOf = (key: string) => key.replace(/\(.*$/, '');
  const problems: string[] = [];
  await client.query('BEGIN');
  try {
    const before = await definitionsIn(client);
    for (const source of sources) await client.query(source.text);
    const after = await definitionsIn(client);
    for (const [key, def] of before) {
      if (!declared.has(nameOf(key))) problems.push(`${key}: in the database but in no SQL source file`);
      else if (after.get(key) !== def) problems.push(`${key}: differs from its SQL source file`);
    }
    for (const key of after.keys()) if (!before.has(key)) problems.push(`${key}: in an SQL source file but not in the database`);
  } finally {
    await client.query('ROLLBACK');
  }
  return problems;
}

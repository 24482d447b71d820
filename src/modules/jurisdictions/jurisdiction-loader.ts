import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Client, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { DIVISION_PACKAGE_NAME, type DivisionData, type DivisionRow, readDivisionRows } from './division-source';

export interface JurisdictionLoadResult {
  /** false when the table already matched the source exactly and nothing was written. */
  loaded: boolean;
  inserted: number;
  updated: number;
  /** Rows in the source (root included); all of them are in the table afterwards. */
  total: number;
  ms: number;
}

// Serialises concurrent loaders (several app instances starting at once); arbitrary constant.
const LOCK_KEY = '7305912847611001';

// One line per row, the same text on both sides, so a digest of the table can be compared with the source.
const FINGERPRINT_SQL = `
  SELECT count(*)::int AS n,
         encode(sha256(convert_to(coalesce(string_agg(
           code || E'\\t' || name || E'\\t' || level || E'\\t' || coalesce(parent_code, ''),
           E'\\n' ORDER BY code), ''), 'UTF8')), 'hex') AS digest
    FROM jurisdiction`;

function fingerprint(rows: readonly DivisionRow[]): string {
  const hash = createHash('sha256');
  for (let i = 0; i < rows.length; i += 10_000) {
    const lines = rows.slice(i, i + 10_000).map((r) => `${r.code}\t${r.name}\t${r.level}\t${r.parentCode ?? ''}`);
    hash.update((i === 0 ? '' : '\n') + lines.join('\n'), 'utf8');
  }
  return hash.digest('hex');
}

// COPY text format: backslash, tab, newline and CR must be escaped; NULL is \N.
function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
}

function* copyChunks(rows: readonly DivisionRow[]): Generator<Buffer> {
  // Batches of lines keep the number of stream writes small without building one 40 MB buffer.
  for (let i = 0; i < rows.length; i += 5_000) {
    let text = '';
    for (const r of rows.slice(i, i + 5_000)) {
      text += `${r.code}\t${copyText(r.name)}\t${r.level}\t${r.parentCode ?? '\\N'}\n`;
    }
    yield Buffer.from(text, 'utf8');
  }
}

/**
 * Brings the `jurisdiction` table in line with the bundled division table, in one transaction: COPY into a
 * temp staging table, insert the missing codes, update the rows that differ. Never deletes (users and
 * records reference codes). Skips all writes when the table's digest already equals the source's, so a
 * rerun is cheap and reports inserted 0 / updated 0. Runs its own transaction on `client`; `data` lets a
 * caller that already read the source pass it in.
 */
export async function loadJurisdictions(
  client: Client | PoolClient,
  log: (msg: string) => void = () => undefined,
  data?: DivisionData,
): Promise<JurisdictionLoadResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const source = data ?? (await readDivisionRows());
  const { rows } = source;
  const counts = Object.entries(source.countsByLevel)
    .map(([level, n]) => `${level} ${n}`)
    .join(', ');
  log(`${DIVISION_PACKAGE_NAME}@${source.version}: ${rows.length} rows (${counts}), read in ${elapsed()} ms`);
  for (const d of source.dropped) log(`dropped ${d.file} ${d.sourceCode} ${d.name}: ${d.reason}`);
  for (const r of source.relevelled) log(`${r.file} ${r.sourceCode} ${r.name} loaded as ${r.level} (level follows the code)`);
  const digest = fingerprint(rows);

  await client.query('BEGIN');
  try {
    // Large statements: an application-wide statement_timeout must not cut them off halfway.
    await client.query('SET LOCAL statement_timeout = 0');
    // Lets the digest's ordered aggregate and the staging joins sort and hash in memory.
    await client.query(`SET LOCAL work_mem = '128MB'`);
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [LOCK_KEY]);

    const current = await client.query<{ n: number; digest: string }>(FINGERPRINT_SQL);
    if (current.rows[0].n === rows.length && current.rows[0].digest === digest) {
      await client.query('COMMIT');
      log(`jurisdiction table already up to date (${rows.length} rows), skipped in ${elapsed()} ms`);
      return { loaded: false, inserted: 0, updated: 0, total: rows.length, ms: elapsed() };
    }

    await client.query(`
      CREATE TEMP TABLE jurisdiction_staging (
        code        varchar(12) COLLATE "C" NOT NULL,
        name        text NOT NULL,
        level       varchar(10) NOT NULL,
        parent_code varchar(12) COLLATE "C"
      ) ON COMMIT DROP`);
    await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom('COPY jurisdiction_staging (code, name, level, parent_code) FROM STDIN')));
    // Temp tables are never auto-analysed; without statistics the joins below may get a nested loop.
    await client.query('ANALYZE jurisdiction_staging');
    log(`staged ${rows.length} rows at ${elapsed()} ms`);

    // New codes first, so that an updated row may point at a parent that is new in this release.
    // FK checks run at the end of each statement, so the order of rows within it is not critical;
    // ordering by code still inserts parents first and keeps index insertions sequential.
    const inserted = await client.query(`
      INSERT INTO jurisdiction (code, name, level, parent_code)
      SELECT s.code, s.name, s.level, s.parent_code
        FROM jurisdiction_staging s
       WHERE NOT EXISTS (SELECT 1 FROM jurisdiction j WHERE j.code = s.code)
       ORDER BY s.code
      ON CONFLICT (code) DO NOTHING`);
    log(`inserted ${inserted.rowCount ?? 0} rows at ${elapsed()} ms`);
    const updated = await client.query(`
      UPDATE jurisdiction j
         SET name = s.name, level = s.level, parent_code = s.parent_code
        FROM jurisdiction_staging s
       WHERE j.code = s.code
         AND (j.name, j.level, j.parent_code) IS DISTINCT FROM (s.name, s.level, s.parent_code)`);
    await client.query('COMMIT');

    const result = {
      loaded: true,
      inserted: inserted.rowCount ?? 0,
      updated: updated.rowCount ?? 0,
      total: rows.length,
      ms: elapsed(),
    };
    log(`jurisdiction table loaded: ${result.inserted} inserted, ${result.updated} updated in ${result.ms} ms`);
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

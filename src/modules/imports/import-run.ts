import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { AppError } from '@/common/errors';
import { safeError } from '@/common/http-error.filter';
import { IdCipher } from '@/common/id-cipher';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { ExchangeOutbox } from '@/modules/exchanges/exchange-outbox';
import { InflowRegistration, PreparedRegistration } from '@/modules/inflows/inflow-registration.service';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';
import { importDone } from '@/modules/notifications/messages';
import { NotificationsService } from '@/modules/notifications/notifications.service';
import { UsersService } from '@/modules/users/users.service';
import { checkRow, COLUMNS, EXAMPLE_ROW_MESSAGE, isExampleRow, readRows, SheetRow } from './import-format';
import { DROPPED_FILE, InflowImport } from './import-job.entity';
import { checkXlsxUnpacked, fileErrors, ImportFileError } from './import-limits';

/** Runs an accepted import in the worker (ImportProcessor): the file's rows through the registration, a batch at a time. */
@Injectable()
export class ImportRun {
  private readonly logger = new Logger('Imports');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(InflowImport) private readonly imports: Repository<InflowImport>,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registration: InflowRegistration,
    private readonly outbox: ExchangeOutbox,
    private readonly cipher: IdCipher,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Runs (or resumes) an import from its checkpoint, IMPORT_BATCH_ROWS rows at a time. Each row is checked by the same rules as
   * POST /api/inflows (InflowRegistration.prepare) and a batch is registered by one call of `register_inflows` — the
   * same `register_inflow` per row — in one transaction with its row errors and the checkpoint, so a worker killed
   * mid-batch leaves nothing of it and the batch runs again whole. The next batch is checked while the database
   * registers this one. A row registered before (the same person, destination and arrival date) is skipped, so
   * re-importing a file adds nothing.
   */
  async run(id: string): Promise<void> {
    const job = await this.imports.createQueryBuilder('j').addSelect('j.file').where('j.id = :id', { id }).getOne();
    if (!job || job.status === 'done' || job.status === 'failed') return;
    // The import runs as the clerk who uploaded it.
    const user = await this.users.asUser(job.createdBy);
    await this.imports.update(id, { status: 'running', startedAt: () => 'COALESCE(started_at, now())' });
    // First pass: the file within its limits (what an XLSX unpacks to, its shared strings, the rows), the number of
    // rows, and which rows repeat an earlier row of the same file (reported, not registered twice). Only the keys are
    // kept; the rows are read again batch by batch.
    const firstSeen = new Map<string, number>();
    const duplicateOf: (number | undefined)[] = [];
    try {
      // Every cell of the rows allowed may hold a string of its own; more is not a register this service can take.
      if (job.format === 'xlsx') await checkXlsxUnpacked(job.file, (this.config.importMaxRows + 1) * COLUMNS.length);
      for await (const { cells: row, sheetRow } of readRows(job.file, job.format)) {
        if (duplicateOf.length === this.config.importMaxRows) throw fileErrors.rows(this.config.importMaxRows);
        const key = [
          String(row.idNumber ?? '')
            .trim()
            .toUpperCase(),
          row.destinationCode,
          row.arrivalDate,
        ].join('|');
        // A repeat is reported by the row number the clerk sees in the spreadsheet.
        duplicateOf.push(firstSeen.get(key));
        if (!firstSeen.has(key)) firstSeen.set(key, sheetRow);
      }
      if (duplicateOf.length === 0) throw fileErrors.empty();
    } catch (error) {
      const refusal = error instanceof ImportFileError ? error : fileErrors.unreadable();
      await this.finish(id, refusal.message);
      this.logger.warn({ err: safeError(error), importId: id, code: refusal.code }, 'import file refused');
      return;
    }
    firstSeen.clear();
    await this.imports.update(id, { total: duplicateOf.length });
    // Second pass, from the checkpoint: the next batch is checked while this one is written.
    const batches = batchesOf(readRows(job.file, job.format), this.config.importBatchRows, job.processed);
    const checkNext = async () => {
      const next = await batches.next();
      if (next.done) return null;
      const { start, rows } = next.value;
      return { start, checked: await this.checkBatch(id, user, rows, start + 1, duplicateOf, job.legacy) };
    };
    let next = checkNext();
    for (let current = await next; current; current = await next) {
      next = checkNext();
      // Keeps the next batch's promise from being an unhandled rejection while this one is written.
      next.catch(() => undefined);
      const exchangeIds = await this.writeBatch(id, current.checked, current.start + current.checked.length);
      await this.outbox.enqueueTogether(exchangeIds);
    }
    await this.finish(id);
  }

  /**
   * Done, or failed with `error`. The uploaded register is deleted with it (quality.md "Trust between the sides": a
   * register holds full ID numbers); what the clerk needs of it stays in the counts and the row errors. Until then
   * the file stays, so a worker killed mid-import resumes from it.
   */
  private async finish(id: string, error?: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.getRepository(InflowImport).update(id, {
        status: error === undefined ? 'done' : 'failed',
        error: error ?? null,
        finishedAt: () => 'now()',
        file: DROPPED_FILE,
      });
      // The uploader hears of it in the same transaction: once, whichever worker finishes it.
      const job = (await manager.getRepository(InflowImport).findOneBy({ id })) as InflowImport;
      await this.notifications.toUsers(manager, [job.createdBy], importDone(job, error));
    });
  }

  /** The rows of a batch through the rules: each is refused with its errors, skipped, or ready to register. */
  private async checkBatch(
    importId: string,
    user: AuthUser,
    batch: SheetRow[],
    firstRow: number,
    duplicateOf: (number | undefined)[],
    allowLegacy: boolean,
  ): Promise<CheckedRow[]> {
    const checked = await Promise.all(
      batch.map(async ({ cells: row, sheetRow }, i): Promise<CheckedRow> => {
        const at: RowPlace = { row: firstRow + i, sheetRow, name: String(row.name ?? '').slice(0, 50) };
        // The template's example is a made-up person (import-format.ts).
        if (isExampleRow(row)) return { at, kind: 'error', errors: [{ field: '', message: EXAMPLE_ROW_MESSAGE }] };
        const first = duplicateOf[at.row - 1];
        if (first !== undefined) return { at, kind: 'error', errors: [{ field: 'idNumber', message: `与第 ${first} 行重复` }] };
        const result = await checkRow(row, allowLegacy);
        if ('errors' in result) return { at, kind: 'error', errors: result.errors };
        return { at, kind: 'valid', dto: result.dto, legacy: result.legacy };
      }),
    );
    const valid = checked.filter((c): c is CheckedRow & { kind: 'valid' } => c.kind === 'valid');
    // Registered before: by an earlier import or a clerk (skipped), or by this import before a restart (succeeded).
    const found: { n: number; import_id: string | null }[] = await this.db.query(
      // Row by row through the person's index (LATERAL … LIMIT keeps the planner from joining on destination and date
      // first: a file's rows mostly share both, and that plan read rows² — 3 s per batch at 6 000 rows). id_hash is
      // char(64): compared as text the index cannot be used.
      `SELECT k.n, i.import_id
         FROM unnest($1::char(64)[], $2::text[], $3::date[]) WITH ORDINALITY AS k(id_hash, destination_code, arrival_date, n)
         CROSS JOIN LATERAL (
           SELECT i.import_id FROM person p JOIN inflow i ON i.person_id = p.id
            WHERE p.id_hash = k.id_hash AND i.destination_code = k.destination_code AND i.arrival_date = k.arrival_date
            ORDER BY i.import_id IS NOT DISTINCT FROM $4 DESC LIMIT 1) i`,
      [valid.map((v) => this.cipher.hash(v.dto.person.idNumber)), valid.map((v) => v.dto.destinationCode), valid.map((v) => v.dto.arrivalDate), importId],
    );
    for (const { n, import_id } of found) Object.assign(valid[Number(n) - 1], { kind: import_id === importId ? 'ok' : 'skipped' });
    // The rules of POST /api/inflows, every row side by side: the certificate look-ups of the batch share one query.
    await Promise.all(
      checked.map(async (c, i) => {
        if (c.kind !== 'valid') return;
        try {
          checked[i] = { at: c.at, kind: 'prepared', prepared: await this.registration.prepare(user, c.dto, { importId, legacy: c.legacy }) };
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          checked[i] = { at: c.at, kind: 'error', errors: rowErrors(error) };
        }
      }),
    );
    return checked;
  }

  /** Registers a checked batch and writes its row errors and the checkpoint, in one transaction; answers the exchange ids to hand to BullMQ. */
  private async writeBatch(importId: string, checked: CheckedRow[], processed: number): Promise<string[]> {
    return this.db.transaction(async (manager) => {
      const toRegister = checked.filter((c): c is CheckedRow & { kind: 'prepared' } => c.kind === 'prepared');
      const outcomes = await this.registration.registerBatch(
        manager,
        toRegister.map((c) => c.prepared),
      );
      const exchangeIds: string[] = [];
      outcomes.forEach((outcome, i) => {
        const index = checked.indexOf(toRegister[i]);
        if (outcome instanceof AppError) checked[index] = { at: toRegister[i].at, kind: 'error', errors: rowErrors(outcome) };
        else {
          checked[index] = { at: toRegister[i].at, kind: 'ok' };
          exchangeIds.push(...outcome.exchangeIds);
        }
      });
      const errors = checked.flatMap((c) =>
        c.kind === 'error' ? c.errors.map((e) => ({ ...c.at, field: e.field.slice(0, 40), message: e.message.slice(0, 300) })) : [],
      );
      if (errors.length > 0) {
        await manager.query(
          `INSERT INTO import_row_error (import_id, row, sheet_row, name, field, message)
           SELECT $1, * FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) ON CONFLICT DO NOTHING`,
          [
            importId,
            errors.map((e) => e.row),
            errors.map((e) => e.sheetRow),
            errors.map((e) => e.name),
            errors.map((e) => e.field),
            errors.map((e) => e.message),
          ],
        );
      }
      const count = (kind: CheckedRow['kind']) => checked.filter((c) => c.kind === kind).length;
      await manager.query(`UPDATE import_job SET processed = $2, succeeded = succeeded + $3, failed = failed + $4, skipped = skipped + $5 WHERE id = $1`, [
        importId,
        processed,
        count('ok'),
        count('error'),
        count('skipped'),
      ]);
      return exchangeIds;
    });
  }
}

/** Rows in batches of `size`, from row `skip` on (rows before the checkpoint are read and dropped); `start` is the batch's first row's index. */
async function* batchesOf(rows: AsyncIterable<SheetRow>, size: number, skip: number): AsyncGenerator<{ start: number; rows: SheetRow[] }> {
  let index = 0;
  let batch: SheetRow[] = [];
  for await (const row of rows) {
    if (index++ < skip) continue;
    batch.push(row);
    if (batch.length === size) {
      yield { start: index - size, rows: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { start: index - batch.length, rows: batch };
}

/** A refused row's errors, in the template's terms (the API's `person.` prefix dropped). */
function rowErrors(error: AppError): { field: string; message: string }[] {
  return error.details.length
    ? error.details.map((d) => ({ field: d.field.replace(/^person\./, ''), message: d.message }))
    : [{ field: '', message: error.message }];
}

/** Where a row is: its number among the data rows (from 1), the row number the spreadsheet shows, and the name it gives. */
interface RowPlace {
  row: number;
  sheetRow: number;
  name: string;
}

/** A row on its way through a batch. */
type CheckedRow = { at: RowPlace } & (
  | { kind: 'error'; errors: { field: string; message: string }[] }
  | { kind: 'valid'; dto: CreateInflowDto; legacy: boolean }
  | { kind: 'prepared'; prepared: PreparedRegistration }
  | { kind: 'ok' | 'skipped' }
);

import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AppError, Errors } from '@/common/errors';
import { JobProducer, JobSpec } from '@/common/job-producer';
import { offsetOf, Page, pageOf, PageQuery } from '@/common/pagination';
import { ImportJob, INFLOW_IMPORT_QUEUE } from '@/queues/queues';
import { AuthUser, inScope } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { ImportFormat } from './import-format';
import { checkUpload, ImportFileError } from './import-limits';
import { ImportRowError, InflowImport } from './import-job.entity';
import { ImportSummaryView, ImportView } from './imports.dto';

export type ImportStatus = ImportView;

/** An import in the list of the caller's imports: its counts without the row errors. */
export type ImportSummary = ImportSummaryView;

function toSummary(job: InflowImport): ImportSummary {
  return {
    id: job.id,
    status: job.status,
    total: job.total,
    processed: job.processed,
    succeeded: job.succeeded,
    failed: job.failed,
    skipped: job.skipped,
    legacy: job.legacy,
    filename: job.filename,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
    error: job.error,
  };
}

function importJob(importId: string): JobSpec<ImportJob> {
  return { name: 'import', data: { importId }, opts: { jobId: importId } };
}

@Injectable()
export class ImportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(InflowImport) private readonly imports: Repository<InflowImport>,
    @InjectRepository(ImportRowError) private readonly rowErrors: Repository<ImportRowError>,
    private readonly producer: JobProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stores an upload for the worker to read (quality.md "Abuse": the API process never inflates a spreadsheet). A CSV's
   * lines are counted on its bytes; an XLSX's central directory says what it would unpack to, and its rows are known
   * once the worker reads it (`total` is 0 until then).
   */
  async accept(user: AuthUser, file: { filename: string; buffer: Buffer }, legacy: boolean): Promise<{ importId: string }> {
    const format = formatOf(file.filename, file.buffer);
    if (!format) throw Errors.validation([{ field: 'file', message: '只接受 CSV（UTF-8 或 GBK）或 XLSX 文件' }]);
    let rows: number | null;
    try {
      rows = checkUpload(file.buffer, format, this.config.importMaxRows);
    } catch (error) {
      throw error instanceof ImportFileError ? uploadRefusal(error) : error;
    }
    const id = await this.db.transaction(async (manager) => {
      const { identifiers } = await manager.insert(InflowImport, {
        createdBy: user.id,
        jurisdictionCode: user.jurisdictionCode,
        filename: file.filename.slice(0, 200),
        format,
        file: file.buffer,
        legacy,
        total: rows ?? 0,
      });
      const importId = identifiers[0].id as string;
      await this.audit.record({ actor: user, action: 'create', entity: 'import', entityId: importId, detail: { rows, format, legacy } }, manager);
      return importId;
    });
    await this.enqueue(id);
    return { importId: id };
  }

  /**
   * Imports whose job Redis does not hold (never enqueued because Redis was down, or lost with its memory) are enqueued
   * again: when a worker starts and then every RELAY_STALE. An import whose job exists is left alone (same jobId).
   */
  async resumeUnfinished(): Promise<void> {
    if (!this.producer.ready) return;
    const unfinished = await this.imports.find({ select: { id: true }, where: { status: In(['queued', 'running']) } });
    await this.producer.add(
      INFLOW_IMPORT_QUEUE,
      unfinished.map(({ id }) => importJob(id)),
    );
  }

  /** Best effort and never waits on Redis: an import left queued is picked up by resumeUnfinished. */
  async enqueue(id: string): Promise<void> {
    await this.producer.add(INFLOW_IMPORT_QUEUE, [importJob(id)]);
  }

  async status(user: AuthUser, id: string): Promise<ImportStatus> {
    const job = await this.imports.findOneBy({ id });
    if (!job || !(job.createdBy === user.id || inScope(user, job.jurisdictionCode))) throw Errors.notFound('导入任务');
    const errors = await this.rowErrors.find({
      select: { row: true, sheetRow: true, name: true, field: true, message: true },
      where: { importId: id },
      order: { row: 'ASC', field: 'ASC' },
      take: 1000,
    });
    // Errors kept before the sheet's row numbers were (migration 1795394000000) are numbered as if no row were blank.
    const shown = errors.map(({ row, sheetRow, name, field, message }) => ({ row, sheetRow: sheetRow ?? row + 1, name: name ?? '', field, message }));
    return { ...toSummary(job), errors: shown };
  }

  /** The caller's own imports, newest first (the 批量导入 screen lists them). */
  async mine(user: AuthUser, query: PageQuery): Promise<Page<ImportSummary>> {
    const [jobs, total] = await this.imports.findAndCount({
      where: { createdBy: user.id },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.pageSize,
      skip: offsetOf(query),
    });
    return pageOf(jobs.map(toSummary), total, query);
  }
}

/** A file refused at upload, in the contract's terms: a limit by its code, an unreadable or empty file as a field error. */
function uploadRefusal(error: ImportFileError): AppError {
  if (error.code === 'FILE_TOO_LARGE' || error.code === 'IMPORT_TOO_MANY_ROWS') {
    return Errors.badRequest(error.code, error.message, [{ field: 'file', message: error.code === 'FILE_TOO_LARGE' ? '解压后过大' : '行数过多' }]);
  }
  return Errors.validation([{ field: 'file', message: error.message }]);
}

function formatOf(filename: string, buffer: Buffer): ImportFormat | null {
  // XLSX is a ZIP file: trust the bytes, not only the name.
  if (buffer.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return /\.xlsx$/i.test(filename) || !/\.csv$/i.test(filename) ? 'xlsx' : null;
  if (/\.(csv|txt)$/i.test(filename)) return 'csv';
  return null;
}

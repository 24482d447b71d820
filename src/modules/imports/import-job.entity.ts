import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { ImportFormat } from './import-format';

/** What `import_job.file` holds once its import has finished: no bytes (migrations/1795393200000-ImportFilesDropped.ts). */
export const DROPPED_FILE = Buffer.alloc(0);

export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A bulk import (批量导入): the uploaded file, where it stands, and its counts (migrations/1795392400000-Imports.ts). */
@Entity('import_job')
export class InflowImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  createdBy: string;

  @Column({ type: 'varchar', length: 12 })
  jurisdictionCode: string;

  @Column({ type: 'varchar', length: 200 })
  filename: string;

  @Column({ type: 'varchar', length: 8 })
  format: ImportFormat;

  /** Not read unless asked for: only the worker needs the file. Emptied (DROPPED_FILE) once the import is done or failed. */
  @Column({ type: 'bytea', select: false })
  file: Buffer;

  @Column({ type: 'boolean' })
  legacy: boolean;

  @Column({ type: 'varchar', length: 10 })
  status: ImportJobStatus;

  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  processed: number;

  @Column({ type: 'integer' })
  succeeded: number;

  @Column({ type: 'integer' })
  failed: number;

  @Column({ type: 'integer' })
  skipped: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ type: 'timestamptz', insert: false })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** A refused row of an import: its number from 1 and in the spreadsheet, the name it gives, the template's field, and why. */
@Entity('import_row_error')
export class ImportRowError {
  @Column({ type: 'uuid', primary: true })
  importId: string;

  @Column({ type: 'integer', primary: true })
  row: number;

  /** The row number the spreadsheet shows (the header is row 1); null for errors recorded before it was kept. */
  @Column({ type: 'integer', nullable: true })
  sheetRow: number | null;

  /** The 姓名 the row gives, so the clerk finds the person without the spreadsheet open. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 40, primary: true })
  field: string;

  @Column({ type: 'varchar', length: 300 })
  message: string;
}

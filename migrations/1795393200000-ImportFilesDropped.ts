import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploaded registers are deleted once their import finishes (issue 27; quality.md "Trust between the sides"). A
 * register holds the full ID numbers of everyone on it, and `import_job.file` kept those bytes for good: a database
 * dump handed them out long after the import had done its work. The worker now empties the file when an import ends
 * `done` or `failed` (ImportRun.finish); this clears the files of the imports that had already ended. Imports still
 * `queued` or `running` keep theirs, since a worker resumes from it. What the clerk needs of a finished import (its
 * counts and row errors) is in other columns and tables, untouched.
 *
 * A data change only: `file` stays NOT NULL and an emptied file is zero bytes (the previous version never read a
 * finished import's file). The release as a whole still needs its nodes stopped before setup (README, "Upgrading").
 * The bytes cannot be brought back: `down` leaves them empty.
 */
export class ImportFilesDropped1795393200000 implements MigrationInterface {
  name = 'ImportFilesDropped1795393200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE import_job SET file = ''::bytea WHERE status IN ('done', 'failed') AND octet_length(file) > 0`);
  }

  public async down(): Promise<void> {
    // Deleted registers are not restored.
  }
}

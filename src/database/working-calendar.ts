import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { WorkingCalendar } from '@/common/working-days';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';

// The working_day table (migration 1795394200000) is the calendar the SQL reads (time_limit_end in helpers.sql): every
// day of 2000–2100, whether it is a working day, and the running count of working days. It is rewritten from the
// service's WorkingCalendar whenever that changes — a new release of the package or a new HOLIDAYS_FILE — by setup and
// by each process as it starts, one at a time, so the SQL and TypeScript answers never disagree for long.

const FIRST = Date.UTC(2000, 0, 1);
const LAST = Date.UTC(2100, 11, 31);

/** What the table was written from: the package's data and the overrides. */
function checksumOf(calendar: WorkingCalendar): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('chinese-days/package.json') as { version: string };
  return createHash('sha256')
    .update(JSON.stringify({ version, overrides: calendar.overrides }))
    .digest('hex');
}

interface Runner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Rewrites working_day when the calendar changed; answers whether it did. `runner` must be in a transaction. */
export async function syncWorkingCalendar(runner: Runner, calendar: WorkingCalendar): Promise<boolean> {
  await runner.query(`SELECT pg_advisory_xact_lock(hashtext('working_day'))`);
  const checksum = checksumOf(calendar);
  const rows = (await runner.query(`SELECT checksum FROM working_day_source`)) as { checksum: string }[];
  if (rows[0]?.checksum === checksum) return false;
  const days: string[] = [];
  const working: boolean[] = [];
  const seq: number[] = [];
  let count = 0;
  for (let t = FIRST; t <= LAST; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    const isWorking = calendar.isWorkingDay(day);
    if (isWorking) count++;
    days.push(day);
    working.push(isWorking);
    seq.push(count);
  }
  await runner.query(`DELETE FROM working_day`);
  await runner.query(`INSERT INTO working_day (day, working, seq) SELECT * FROM unnest($1::date[], $2::boolean[], $3::int[])`, [days, working, seq]);
  await runner.query(`INSERT INTO working_day_source (id, checksum) VALUES (true, $1) ON CONFLICT (id) DO UPDATE SET checksum = excluded.checksum`, [checksum]);
  return true;
}

/** Keeps working_day equal to this process's calendar when the process starts (HOLIDAYS_FILE may have changed). */
@Injectable()
export class WorkingCalendarSync implements OnApplicationBootstrap {
  private readonly logger = new Logger('WorkingCalendar');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed = await this.db.transaction((manager) => syncWorkingCalendar(manager, this.config.calendar));
    if (changed) this.logger.log('working-day calendar rewritten (new calendar or HOLIDAYS_FILE)');
    const next = new Date().getUTCFullYear() + 1;
    if (new Date().getUTCMonth() === 11 && !this.config.calendar.knowsYear(next)) {
      this.logger.warn(`${next} 年的节假日安排尚未载入：请在 HOLIDAYS_FILE 中写明（否则按周一至周五计算工作日）`);
    }
  }
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitEnd, workingDaysLimit } from '@/common/time-limit';
import { readHolidaysFile, WorkingCalendar } from '@/common/working-days';
import { startTestApp, TestApp, waitFor } from './support/app';
import { inflowBody, registerInflow } from './support/builders';
import { daysAgo, newIdNumber, staffAt } from './support/people';

// Time limits in working days (reminders.md): with SUBMISSION_TIME_LIMIT=10WD and REPLY_TIME_LIMIT=15WD a registration
// and its notice fall due at 24:00 Beijing time of the 10th and 15th working day, counted by the national calendar and
// HOLIDAYS_FILE — here a made-up day off next week, so the test sees the file honoured. The database (time_limit_end)
// and the service (limitEnd) give the same answers.
const DEST = '330802213001'; // 浙江省衢州市柯城区姜家山乡 a community of it
const ORIGIN_VILLAGE = '421381002001'; // 湖北省随州市广水市十里街道十里社区

/** The first Wednesday after today (Beijing), as YYYY-MM-DD: a day off only the file knows. */
function nextWednesday(): string {
  const day = new Date(Date.now() + 8 * 3_600_000);
  do day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() !== 3);
  return day.toISOString().slice(0, 10);
}

describe('time limits in working days (15WD)', () => {
  let t: TestApp;
  let calendar: WorkingCalendar;
  const dayOff = nextWednesday();

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'liudong-holidays-')), 'holidays.json');
    writeFileSync(file, JSON.stringify({ holidays: [dayOff], workdays: [] }));
    calendar = new WorkingCalendar(readHolidaysFile(file));
    t = await startTestApp({ SUBMISSION_TIME_LIMIT: '10WD', REPLY_TIME_LIMIT: '15WD', HOLIDAYS_FILE: file });
  });
  afterAll(() => t.close());

  it('sets a registration’s and its notice’s due instants by working days, honouring HOLIDAYS_FILE', async () => {
    const clerk = await staffAt(t, DEST);
    const inflow = await registerInflow(
      t,
      clerk,
      inflowBody({ idNumber: newIdNumber({ sex: 'male' }), name: '工作日' }, daysAgo(1), { householdCode: ORIGIN_VILLAGE, destinationCode: DEST }),
    );
    const [row] = await t.db.query(`SELECT registered_at, submission_due_at FROM inflow WHERE id = $1`, [inflow.id]);
    const submissionDue = limitEnd(row.registered_at, workingDaysLimit('10WD')!, calendar);
    expect(row.submission_due_at.toISOString()).toBe(submissionDue.toISOString());
    // The file's day off is inside the ten days: without it the registration would be due a working day earlier.
    expect(submissionDue.getTime()).toBeGreaterThan(limitEnd(row.registered_at, workingDaysLimit('10WD')!, new WorkingCalendar()).getTime());
    // Due at midnight, Beijing time.
    expect(new Date(submissionDue.getTime() + 8 * 3_600_000).toISOString().slice(11)).toBe('00:00:00.000Z');

    const notice = await waitFor(
      async () => {
        const [e] = await t.db.query(`SELECT reply_limit, delivered_at, due_at FROM exchange WHERE case_id = $1 AND status = 'delivered'`, [inflow.caseId]);
        return e as { reply_limit: string; delivered_at: Date; due_at: Date } | undefined;
      },
      15_000,
      'notice delivered',
    );
    expect(notice.reply_limit).toBe('15WD');
    expect(notice.due_at.toISOString()).toBe(limitEnd(notice.delivered_at, workingDaysLimit('15WD')!, calendar).toISOString());
  });

  it('gives the same due instants in the database as in the service, across 春节, 国庆 and a 调休 Saturday', async () => {
    const starts = [
      '2026-02-12T15:30:00Z', // 23:30 Thursday before 春节 (Beijing)
      '2026-02-12T16:10:00Z', // 00:10 Friday (Beijing)
      '2026-02-14T02:00:00Z', // the 调休 Saturday
      '2026-09-30T01:00:00Z',
      '2026-10-03T01:00:00Z', // inside 国庆
      '2026-12-31T10:00:00Z',
    ];
    for (const start of starts) {
      for (const text of ['1WD', '3WD', '15WD']) {
        const [{ end }] = await t.db.query(`SELECT time_limit_end($1::timestamptz, $2) AS end`, [start, text]);
        expect([start, text, end.toISOString()]).toEqual([start, text, limitEnd(new Date(start), workingDaysLimit(text)!, calendar).toISOString()]);
      }
      const [{ plain }] = await t.db.query(`SELECT time_limit_end($1::timestamptz, 'P30D') AS plain`, [start]);
      expect(plain.getTime() - new Date(start).getTime()).toBe(30 * 86_400_000);
    }
  });
});

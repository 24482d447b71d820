import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limitEnd, workingDaysLimit } from './time-limit';
import { readHolidaysFile, WorkingCalendar } from './working-days';

// The national calendar of 2026 (国务院办公厅关于2026年部分节假日安排的通知): 春节 2月15日至23日放假, 2月14日（周六）
// and 2月28日（周六）上班; 中秋 9月25日至27日; 国庆 10月1日至7日放假, 9月20日（周日）and 10月10日（周六）上班.

describe('working days (工作日)', () => {
  const calendar = new WorkingCalendar();

  it('knows the Spring Festival, National Day and the make-up working days of 2026', () => {
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true); // Friday before the festival
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true); // 调休 Saturday
    expect(calendar.isWorkingDay('2026-02-16')).toBe(false); // Monday of 春节
    expect(calendar.isWorkingDay('2026-02-23')).toBe(false); // last day off
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true); // 调休 Sunday
    expect(calendar.isWorkingDay('2026-10-05')).toBe(false); // Monday of 国庆
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true); // 调休 Saturday
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false); // an ordinary Sunday
  });

  it('counts the n-th working day after a day across the holidays and the 调休 days', () => {
    // Thursday 12 Feb: Friday 13th is the first, the 调休 Saturday the second, then nine days off.
    expect(calendar.nthWorkingDayAfter('2026-02-12', 2)).toBe('2026-02-14');
    expect(calendar.nthWorkingDayAfter('2026-02-12', 3)).toBe('2026-02-24');
    // From a holiday, the count starts with the next working day.
    expect(calendar.nthWorkingDayAfter('2026-10-03', 1)).toBe('2026-10-08');
    expect(calendar.nthWorkingDayAfter('2026-10-09', 1)).toBe('2026-10-10');
    // 15 working days from 30 September: 8–10 October and 12 more weekdays.
    expect(calendar.nthWorkingDayAfter('2026-09-30', 15)).toBe('2026-10-27');
  });

  it('ends a limit in working days at 24:00 Beijing time of its last day', () => {
    const limit = workingDaysLimit('3WD');
    expect(limit).toEqual({ text: '3WD', workingDays: 3, ms: null });
    // Started at 23:30 on Thursday 12 Feb (Beijing): due at the end of Tuesday 24 Feb, Beijing time.
    expect(limitEnd(new Date('2026-02-12T15:30:00Z'), limit!, calendar).toISOString()).toBe('2026-02-24T16:00:00.000Z');
    // At 00:10 on Friday 13 Feb (Beijing; still the 12th in UTC) the count starts from the 13th.
    expect(limitEnd(new Date('2026-02-12T16:10:00Z'), limit!, calendar).toISOString()).toBe('2026-02-25T16:00:00.000Z');
    expect(limitEnd(new Date('2026-02-12T16:10:00Z'), { text: 'P1D', ms: 86_400_000, workingDays: null }, calendar).toISOString()).toBe(
      '2026-02-13T16:10:00.000Z',
    );
  });

  it('takes the next year from HOLIDAYS_FILE, and counts an unknown year Monday to Friday', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liudong-holidays-'));
    const file = join(dir, 'holidays.json');
    // A made-up year: a Monday off and a Saturday worked.
    writeFileSync(file, JSON.stringify({ holidays: ['2031-03-03'], workdays: ['2031-03-08'] }));
    const next = new WorkingCalendar(readHolidaysFile(file));
    expect(next.isWorkingDay('2031-03-03')).toBe(false);
    expect(next.isWorkingDay('2031-03-08')).toBe(true);
    expect(next.isWorkingDay('2031-03-04')).toBe(true);
    expect(next.knowsYear(2031)).toBe(true);
    expect(calendar.knowsYear(2031)).toBe(false);
    expect(calendar.isWorkingDay('2031-03-03')).toBe(true);
    expect(calendar.isWorkingDay('2031-03-08')).toBe(false);
    // The file may also correct a year the package holds.
    writeFileSync(file, JSON.stringify({ holidays: ['2026-02-13'] }));
    expect(new WorkingCalendar(readHolidaysFile(file)).isWorkingDay('2026-02-13')).toBe(false);

    for (const [content, message] of [
      ['{', /cannot be read as JSON/],
      ['{"holidays": ["2027/02/08"]}', /"holidays" must be a list of dates written YYYY-MM-DD/],
      ['{"workdays": "2027-02-20"}', /"workdays" must be a list/],
      ['{"holidays": ["2027-02-08"], "workdays": ["2027-02-08"]}', /2027-02-08 is both a holiday and a workday/],
    ] as const) {
      writeFileSync(file, content);
      expect(() => readHolidaysFile(file)).toThrow(message);
    }
  });
});

import { Client } from 'pg';
import { assessmentMonth, lastClosedMonth } from '@/modules/assessments/assessment-period';
import { BenchStack, createUser, login, report, startService } from './lib';
import { seedTo } from './seed';

// A1 (issue 30): freezing one assessment month for the whole country — every jurisdiction of county level and above,
// 3 000-odd reports with their children's ranks, sealed and stored — at 1 M inflows (all in 广东, spread over a year),
// against its raw baseline: the same month's GET /api/rates (its from, to and asOf) for each of those jurisdictions,
// made one by one over HTTP by a national supervisor in the same run. Then the 月报 PDF of 广东 (21 cities): the first
// download (which also freezes the eleven months before it for the 12-month trend) and the median of four more.
// Method: the last closed month; the epoch moved to just before its cut-off so that the worker's job owes it, with
// anything an earlier run froze for that month removed first (as the owner, the trigger off); the job's own timing
// (assessment_run.ms) is the figure.

const PEOPLE = 1_000_000;
const PASSWORD = 'bench-password-a1';
const PROVINCE = '440000000000';

export async function benchAssessment(stack: BenchStack): Promise<void> {
  await seedTo(stack.databaseUrl, PEOPLE, 'A1');
  const month = lastClosedMonth(new Date(), 20);
  const period = assessmentMonth(month, 20);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const service = await (async () => {
    await db.query(`ALTER TABLE assessment DISABLE TRIGGER assessment_frozen`);
    await db.query(`DELETE FROM assessment WHERE month >= to_char(now() - interval '14 months', 'YYYY-MM')`);
    await db.query(`ALTER TABLE assessment ENABLE TRIGGER assessment_frozen`);
    await db.query(`DELETE FROM assessment_run WHERE month = $1`, [month]);
    // No month owed while the baseline runs.
    await db.query(`UPDATE assessment_epoch SET since = now()`);
    await createUser(stack.databaseUrl, 'a1_national', 'supervisor', '000000000000', PASSWORD);
    return startService(stack, { DIGEST_TIME: 'off', DIGEST_CHECK_EVERY: 'PT1S', ASSESSMENT_CUTOFF_DAY: '20' });
  })();
  try {
    const token = await login(service.url, 'a1_national', PASSWORD);
    const codes: string[] = (await db.query(`SELECT code FROM jurisdiction WHERE level IN ('country', 'province', 'city', 'county') ORDER BY code`)).rows.map(
      (r: { code: string }) => r.code,
    );
    // Baseline: the month's figures asked for one jurisdiction at a time.
    const asOf = period.asOf.toISOString();
    let started = Date.now();
    for (const code of codes) {
      const res = await fetch(`${service.url}/api/rates?jurisdiction=${code}&from=${period.from}&to=${period.to}&asOf=${encodeURIComponent(asOf)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new Error(`[A1] GET /api/rates ${code}: ${res.status}`);
      await res.arrayBuffer();
    }
    const baselineMs = Date.now() - started;

    // The job: the service "began" an hour before the cut-off, so its next look (every second) freezes the month.
    await db.query(`UPDATE assessment_epoch SET since = $1`, [new Date(period.asOf.getTime() - 3_600_000)]);
    started = Date.now();
    let run: { frozen: number; ms: number } | undefined;
    while (!run && Date.now() - started < 30 * 60_000) {
      await new Promise((r) => setTimeout(r, 500));
      run = (await db.query(`SELECT frozen, ms FROM assessment_run WHERE month = $1`, [month])).rows[0];
    }
    if (!run) throw new Error('[A1] the month was not frozen within 30 minutes');
    const [{ stored }] = (await db.query(`SELECT count(*)::int AS stored FROM assessment WHERE month = $1`, [month])).rows;
    report({
      figure: 'A1.freeze_month_s.country_1M',
      value: Math.round(run.ms / 100) / 10,
      unit: 's',
      baseline: Math.round(baselineMs / 100) / 10,
      ratio: Math.round((run.ms / baselineMs) * 100) / 100,
      jurisdictions: codes.length,
      stored,
      month,
      note: `the worker's job (assessment_run.ms) vs GET /api/rates for each of the ${codes.length} jurisdictions one by one`,
    });

    // The 月报 of 广东.
    const res = await fetch(`${service.url}/api/assessments?jurisdiction=${PROVINCE}&month=${month}`, { headers: { authorization: `Bearer ${token}` } });
    const { id } = (await res.json()) as { id: string };
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const pdf = await fetch(`${service.url}/api/assessments/${id}/report.pdf`, { headers: { authorization: `Bearer ${token}` } });
      if (!pdf.ok) throw new Error(`[A1] report.pdf: ${pdf.status}`);
      bytes = (await pdf.arrayBuffer()).byteLength;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    report({
      figure: 'A1.report_pdf_ms.province',
      value: Math.round((warm[1] + warm[2]) / 2),
      unit: 'ms',
      first: Math.round(times[0]),
      bytes,
      note: 'median of downloads 2–5 of 广东’s 月报; `first` also froze the 11 months before it for the trend',
    });
  } finally {
    await db.end();
    await service.stop();
  }
}

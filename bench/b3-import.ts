import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { makeIdNumber } from '@/common/identity';
import { BenchStack, createUser, login, report, startService } from './lib';

const DESTINATION = '320213021001'; // 无锡市梁溪区 社区
const HEADER = 'idNumber,name,householdCode,destinationCode,address,arrivalDate,reason,maritalStatus,contraception';

function rows(n: number, destination = DESTINATION): string[] {
  return Array.from({ length: n }, (_, i) => {
    const birth = new Date(Date.UTC(1960, 0, 1) + (i % 12000) * 86_400_000).toISOString().slice(0, 10);
    return `${makeIdNumber('421381', birth, 500 + Math.floor(i / 12000))},导入人员,421381101201,${destination},无锡市梁溪区,2026-01-05,work,unmarried,none`;
  });
}

/** Uploads a CSV of n new people to `POST /api/inflows/import` and waits until the import is done. */
export async function importFile(
  url: string,
  token: string,
  n: number,
  destination = DESTINATION,
): Promise<{ status: string; succeeded: number; failed: number }> {
  const form = new FormData();
  form.append('file', new Blob([[HEADER, ...rows(n, destination)].join('\n')], { type: 'text/csv' }), 'bench.csv');
  const res = await fetch(`${url}/api/inflows/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  if (res.status !== 202) throw new Error(`import refused: ${res.status} ${await res.text()}`);
  const { importId } = (await res.json()) as { importId: string };
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const status = (await (await fetch(`${url}/api/imports/${importId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      status: string;
      succeeded: number;
      failed: number;
    };
    if (status.status === 'done' || status.status === 'failed') return status;
  }
}

/** B3: a CSV register through POST /api/inflows/import until done, against COPY of the same rows into a bare table. */
export async function benchImport(stack: BenchStack, n: number): Promise<void> {
  const lines = rows(n);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query(
    `DROP TABLE IF EXISTS bench_import;
     CREATE TABLE bench_import (id_number text, name text, household_code text, destination_code text, address text, arrival_date date, reason text,
                                marital_status text, contraception text)`,
  );
  const copyStarted = process.hrtime.bigint();
  await pipeline(Readable.from(lines.map((l) => `${l}\n`)), db.query(copyFrom(`COPY bench_import FROM STDIN WITH (FORMAT csv)`)));
  const copyRate = n / (Number(process.hrtime.bigint() - copyStarted) / 1e9);
  report({ figure: 'B3.baseline.copy_rows_per_s', value: Math.round(copyRate), unit: 'rows/s', rows: n });

  await createUser(stack.databaseUrl, 'bench_importer', 'staff', DESTINATION, 'bench-pass-3');
  const service = await startService(stack, { IMPORT_MAX_ROWS: String(Math.max(200_000, n)) });
  try {
    const token = await login(service.url, 'bench_importer', 'bench-pass-3');
    const started = process.hrtime.bigint();
    const status = await importFile(service.url, token, n);
    const rate = n / (Number(process.hrtime.bigint() - started) / 1e9);
    report({ figure: 'B3.import_rows_per_s', value: Math.round(rate), unit: 'rows/s', rows: n, succeeded: status.succeeded, failed: status.failed });
    report({ figure: 'B3.ratio_to_copy', value: Number((rate / copyRate).toFixed(4)), unit: 'ratio', bar: 0.01 });
  } finally {
    await db.end();
    await service.stop();
  }
}

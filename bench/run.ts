// npm run bench: every benchmark, each figure a ratio against a raw baseline measured in this same run.
//   npm run bench                          B1–B7, S1 (B3 at 100 000 rows, B4 at 10 k / 1 M / 10 M, B7 at 10 k / 1 M inflows), C1, C2 (/rates at 1 M),
//                                          C3 (first visits' bytes on the wire, Lighthouse), C4 (/collect: first load, its cache)
//   npm run bench -- --only=B4,B7          some of them
//   npm run bench -- --import-rows=10000   B3 smaller than the 100 000 rows of quality.md (the default)
//   npm run bench -- --b4-sizes=10000,1000000
//   npm run bench -- --only=B7 --b7-sizes=10000,100000   B7 at other sizes than quality.md's 10 k and 1 M
//   npm run bench -- --only=R1                   the daily digest for 10 000 clerks with due items (issue 29)
//   npm run bench -- --only=A1                   freezing an assessment month for the whole country at 1 M inflows, the 月报 PDF (issue 30)
//   npm run bench -- --only=B4 --b4-baseline=no   without the raw GROUP BY over the largest size (minutes at 10 M)
//   npm run bench -- --only=B4 --stack-dir=DIR  keep the database in DIR; a later run reuses it and seeds only what is missing
//   npm run bench -- --only=SOAK [--soak-seconds=600]   the 10-minute mixed-load soak (not in the default run)
import { benchRegistrations, benchScaleOut } from './b1-registrations';
import { benchExchanges } from './b2-exchanges';
import { benchImport } from './b3-import';
import { benchRates } from './b4-rates';
import { benchLists } from './b7-lists';
import { benchDigest } from './r1-digest';
import { benchAssessment } from './a1-assessment';
import { benchConsole } from './c1-console';
import { benchRatesPage } from './c2-rates-page';
import { benchFirstVisit } from './c3-first-visit';
import { benchCollect } from './c4-collect';
import { startBenchStack, writeMarkdown, writeResults } from './lib';
import { soak } from './soak';

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

async function main(): Promise<void> {
  const only = option('only')?.toUpperCase().split(',');
  const wants = (b: string) => !only || only.includes(b);
  // A bare number is the import size, as before.
  const importRows = Number(option('import-rows') ?? process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
  const b4Sizes = (option('b4-sizes') ?? '10000,1000000,10000000').split(',').map(Number);
  const stack = await startBenchStack(option('stack-dir'));
  try {
    // B5 (RSS) and B6 (roll-up upkeep) are measured during B1.
    if (wants('B1') || wants('B5') || wants('B6')) await benchRegistrations(stack);
    if (wants('S1')) await benchScaleOut(stack);
    if (wants('B2')) await benchExchanges(stack);
    if (wants('B3')) await benchImport(stack, importRows);
    // B7 seeds 10 k then 1 M people; C2 times the page at 1 M (seeding if B7 did not run); B4 then measures its
    // smaller sizes on a fresh stack.
    if (wants('R1')) await benchDigest(stack);
    if (wants('B7')) await benchLists(stack, (option('b7-sizes') ?? '10000,1000000').split(',').map(Number));
    if (wants('C1')) await benchConsole(stack);
    if (wants('C3')) await benchFirstVisit(stack);
    // Issue 31: the grid worker's phone app.
    if (wants('C4')) await benchCollect(stack);
    if (wants('C2')) await benchRatesPage(stack);
    if (wants('A1')) await benchAssessment(stack);
    if (wants('B4')) await benchRates(stack, b4Sizes, option('b4-baseline') !== 'no');
    if (only?.includes('SOAK')) await soak(stack, Number(option('soak-seconds') ?? 600));
  } finally {
    writeResults();
    writeMarkdown();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

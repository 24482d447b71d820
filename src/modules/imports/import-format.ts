import { Readable } from 'node:stream';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse } from 'csv-parse';
// exceljs is loaded when a workbook is read or written, not at start (about 27 MB a process that never needs it).
import type ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { ErrorDetail } from '@/common/errors';
import { checkCharacter } from '@/common/identity';
import { allowedMessage, LABELS, labelOf, LabelSet, valuesOf } from '@/common/labels';
import { flattenValidationErrors } from '@/common/validation';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';

export type ImportFormat = 'csv' | 'xlsx';

export interface Column {
  field: string;
  label: string;
  /** Cell text → API value, for enum columns: the Chinese labels (LABELS) and the synonyms clerks type. */
  values?: Record<string, string>;
  /** Whose labels the column's refusals list. */
  labels?: LabelSet;
  /** Whether a row must fill it (the template's 填写说明 says 必填 or 选填). */
  required: boolean;
  /** How to fill it, for the template's 填写说明 sheet (an enum column's labels are added there). */
  hint: string;
  /** The documented example (填写说明): a made-up person, refused when a row repeats them (isExampleRow). */
  example: string;
}

/** Label → value for a set, with the API values themselves and the synonyms people write in registers. */
function cellValues(set: LabelSet, synonyms: Record<string, string> = {}): Record<string, string> {
  const values = valuesOf(set);
  return { ...Object.fromEntries(values.map((v) => [v, v])), ...Object.fromEntries(values.map((v) => [labelOf(set, v), v])), ...synonyms };
}

const YES_NO = {
  是: 'true',
  否: 'false',
  Y: 'true',
  N: 'false',
  y: 'true',
  n: 'false',
  YES: 'true',
  NO: 'false',
  yes: 'true',
  no: 'false',
  TRUE: 'true',
  FALSE: 'false',
  有: 'true',
  无: 'false',
};

// The template's columns: Chinese headers for people, the API's English names accepted as well (api.md).
export const COLUMNS: Column[] = [
  {
    field: 'idNumber',
    label: LABELS.importColumn.idNumber,
    required: true,
    hint: '18 位公民身份号码（末位可为 X）；15 位的老号码会自动升为 18 位',
    example: '421381199003070026',
  },
  { field: 'name', label: LABELS.importColumn.name, required: true, hint: '与户籍登记一致', example: '王芳' },
  { field: 'phone', label: LABELS.importColumn.phone, required: false, hint: '11 位手机号码', example: '13800000000' },
  {
    field: 'householdCode',
    label: LABELS.importColumn.householdCode,
    required: true,
    hint: '户籍所在乡镇（街道）或村（居）的 12 位行政区划代码',
    example: '421381101201',
  },
  {
    field: 'destinationCode',
    label: LABELS.importColumn.destinationCode,
    required: true,
    hint: '现居住的本辖区乡镇（街道）或村（居）的 12 位行政区划代码',
    example: '330802005001',
  },
  { field: 'address', label: LABELS.importColumn.address, required: true, hint: '现居住的详细地址', example: '衢州市柯城区金桂社区 12 号' },
  {
    field: 'arrivalDate',
    label: LABELS.importColumn.arrivalDate,
    required: true,
    hint: '来本地居住的日期，可写 2026-11-02、2026/11/2、2026.11.2 或 2026年11月2日',
    example: '2026-11-02',
  },
  {
    field: 'reason',
    label: LABELS.importColumn.reason,
    values: cellValues('reason', { 打工: 'work', 投亲: 'family', 随迁: 'family', 上学: 'study' }),
    labels: 'reason',
    required: true,
    hint: '从下拉列表选择',
    example: '务工',
  },
  {
    field: 'maritalStatus',
    label: LABELS.importColumn.maritalStatus,
    values: cellValues('maritalStatus', { 已婚: 'first_married', 离异: 'divorced' }),
    labels: 'maritalStatus',
    required: true,
    hint: '从下拉列表选择',
    example: '初婚',
  },
  {
    field: 'contraception',
    label: LABELS.importColumn.contraception,
    values: cellValues('contraception', {
      无: 'none',
      没有: 'none',
      未采取: 'none',
      未避孕: 'none',
      上环: 'iud',
      节育器: 'iud',
      结扎: 'sterilization',
      避孕药: 'pill',
    }),
    labels: 'contraception',
    required: true,
    hint: '从下拉列表选择',
    example: '宫内节育器',
  },
  {
    field: 'pregnant',
    label: LABELS.importColumn.pregnant,
    values: YES_NO,
    labels: 'boolean',
    required: false,
    hint: '育龄妇女填写，从下拉列表选择',
    example: '否',
  },
  {
    field: 'certificateNumber',
    label: LABELS.importColumn.certificateNumber,
    required: false,
    hint: '已婚育龄妇女持婚育证明的，填写证明上的编号；没有则留空',
    example: '421381101000-2026-00012',
  },
];

/** What a row of the documented example holds, by field. */
const EXAMPLE = Object.fromEntries(COLUMNS.map((c) => [c.field, c.example])) as RawRow;

export const EXAMPLE_ROW_MESSAGE = '示例行，请删除后再导入';

/**
 * A row about the documented example's person (its ID number and name, whatever else was changed): made up, so it is
 * refused rather than registered — a template filled in around the example registers nobody who does not exist.
 */
export function isExampleRow(row: RawRow): boolean {
  const idNumber = upgradeIdNumber(
    String(row.idNumber ?? '')
      .trim()
      .toUpperCase(),
  );
  return idNumber === EXAMPLE.idNumber && String(row.name ?? '').trim() === EXAMPLE.name;
}

/** The labels a template's drop-down offers: one per value, as LABELS names them. */
const BY_HEADER = new Map<string, Column>(
  COLUMNS.flatMap(
    (c) =>
      [
        [c.label, c],
        [c.field, c],
        [c.field.toLowerCase(), c],
      ] as [string, Column][],
  ),
);

export type RawRow = Record<string, string>;

/** Bytes of a CSV as text: UTF-8 (with or without BOM) when it decodes cleanly, otherwise GBK (Excel's Chinese default). */
export function decodeCsv(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    return iconv.decode(buffer, 'gbk');
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    return '';
  }
  return String(value);
}

/** A data row of a register: its cells by API field name, and the row number the spreadsheet shows (the header is row 1). */
export interface SheetRow {
  cells: RawRow;
  sheetRow: number;
}

/** A record of the file with the row number a spreadsheet program shows for it. */
interface SheetRecord {
  values: string[];
  sheetRow: number;
}

/** A register's records (the header first) as rows keyed by API field name; blank records are skipped (their numbers too). */
async function* keyed(records: AsyncIterable<SheetRecord>): AsyncGenerator<SheetRow> {
  let columns: (Column | undefined)[] | null = null;
  for await (const { values, sheetRow } of records) {
    if (!columns) {
      columns = values.map((h) => BY_HEADER.get(String(h).trim()) ?? BY_HEADER.get(String(h).trim().toLowerCase()));
      continue;
    }
    if (!values.some((cell) => String(cell ?? '').trim() !== '')) continue;
    const cells: RawRow = {};
    columns.forEach((column, i) => {
      if (column) cells[column.field] = String(values[i] ?? '').trim();
    });
    yield { cells, sheetRow };
  }
}

async function* records(buffer: Buffer, format: ImportFormat): AsyncGenerator<SheetRecord> {
  if (format === 'csv') {
    // Empty lines are records too (a spreadsheet shows them as rows): the n-th record is the row numbered n, a quoted
    // cell spanning lines being one row as a spreadsheet program shows it.
    const parser = Readable.from([decodeCsv(buffer)]).pipe(parse({ relax_column_count: true, skip_empty_lines: false, bom: true }));
    let sheetRow = 0;
    for await (const values of parser as AsyncIterable<string[]>) yield { values, sheetRow: ++sheetRow };
    return;
  }
  // The streaming reader keeps a 20 MB workbook from being inflated into memory at once; checkXlsxUnpacked has bounded
  // what it unpacks (import-limits.ts) before this runs.
  const { default: excel } = await import('exceljs');
  const reader = new excel.stream.xlsx.WorkbookReader(Readable.from(buffer), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
  });
  sheetsAfterWorkbook(reader);
  for await (const worksheet of reader) {
    // The reader leaves out empty rows; each row it gives carries its own number.
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      yield { values: (row.values as ExcelJS.CellValue[]).slice(1).map(cellText), sheetRow: row.number };
    }
    break; // the first sheet is the register; the template's second sheet holds the value lists
  }
}

/**
 * The data rows of a CSV or XLSX register in file order (numbered from 1), keyed by API field name, parsed as they are
 * read: an import holds one batch of rows, not the whole file's.
 */
/**
 * exceljs 4.4's streaming reader parses a worksheet at once when the shared strings and the workbook's relationships
 * have been read, even when `xl/workbook.xml` (the sheets' names) comes later in the ZIP — then it fails ("reading
 * 'sheets'"). The order of a ZIP's parts is the writer's: exceljs itself writes them in a varying order, so about one
 * upload in 150 of a file saved by exceljs was refused as unreadable. Until the workbook has been read, its
 * relationships are held back here, so such a worksheet waits (exceljs keeps it in a temporary file and reads it at
 * the end, as it does one that comes before the shared strings). Tied to exceljs's internals: the version is pinned.
 */
function sheetsAfterWorkbook(reader: unknown): void {
  type Entry = unknown;
  const r = reader as { _parseRels(e: Entry): Promise<void>; _parseWorkbook(e: Entry): Promise<void>; workbookRels?: unknown; model?: unknown };
  const parseRels = r._parseRels.bind(r);
  const parseWorkbook = r._parseWorkbook.bind(r);
  let held: unknown;
  r._parseRels = async (entry) => {
    await parseRels(entry);
    if (!r.model) [held, r.workbookRels] = [r.workbookRels, undefined];
  };
  r._parseWorkbook = async (entry) => {
    await parseWorkbook(entry);
    if (held) [r.workbookRels, held] = [held, undefined];
  };
}

export function readRows(buffer: Buffer, format: ImportFormat): AsyncGenerator<SheetRow> {
  return keyed(records(buffer, format));
}

const PERSON_FIELDS: Record<string, string> = { 'person.idNumber': 'idNumber', 'person.name': 'name', 'person.phone': 'phone' };

function enumValue(field: string, raw: string): string {
  const column = COLUMNS.find((c) => c.field === field);
  return column?.values?.[raw.trim()] ?? raw;
}

/** A row as the body of `POST /api/inflows`, so it goes through exactly the same validation and rules. */
export function toRequestBody(row: RawRow): Record<string, unknown> {
  const optional = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const pregnant = optional(row.pregnant) === undefined ? undefined : enumValue('pregnant', row.pregnant);
  return {
    person: { idNumber: row.idNumber, name: row.name, phone: optional(row.phone) },
    householdCode: row.householdCode,
    destinationCode: row.destinationCode,
    address: row.address,
    arrivalDate: sheetDate(row.arrivalDate),
    reason: enumValue('reason', row.reason ?? ''),
    maritalStatus: enumValue('maritalStatus', row.maritalStatus ?? ''),
    contraception: enumValue('contraception', row.contraception ?? ''),
    // Anything but yes or no stays text, so the row error says what the column takes.
    pregnant: pregnant === 'true' ? true : pregnant === 'false' ? false : pregnant,
    certificateNumber: optional(row.certificateNumber),
    submit: true,
  };
}

/**
 * A first-generation 15-digit number as the 18-character form (GB 11643-1999): `19` before the two-digit birth year,
 * and the check character computed. Anything else is returned as it is.
 */
export function upgradeIdNumber(idNumber: string): string {
  if (!/^\d{15}$/.test(idNumber)) return idNumber;
  const first17 = `${idNumber.slice(0, 6)}19${idNumber.slice(6)}`;
  return first17 + checkCharacter(first17);
}

/**
 * A date as people fill it in a spreadsheet, as YYYY-MM-DD: `2026/12/1`, `2026.12.1`, `2026年12月1日`, `2026-12-1`, or a
 * date cell Excel stored as a bare serial number (no date style). Anything else is kept as typed, for the API's own
 * check to refuse in its words.
 */
export function sheetDate(value: string | undefined): string | undefined {
  if (!value) return value;
  if (/^\d{5}(\.\d+)?$/.test(value)) {
    return new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(value)) * 86_400_000).toISOString().slice(0, 10);
  }
  const parts = /^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)$/.exec(value.trim());
  if (!parts) return value;
  const [year, month, day] = [parts[1], parts[2] ?? parts[4], parts[3] ?? parts[5]];
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

export type RowCheck = { dto: CreateInflowDto; legacy: boolean } | { errors: ErrorDetail[] };

/**
 * Validates a row with the API's own DTO. A legacy row is marked: a 15-digit number converted to 18 characters, or
 * (only when the import says legacy=true) a number whose check character is the only fault, which keeps its number
 * as written (the old national platform stopped checking check characters).
 */
export async function checkRow(row: RawRow, allowLegacy: boolean): Promise<RowCheck> {
  const written = String(row.idNumber ?? '')
    .trim()
    .toUpperCase();
  const idNumber = upgradeIdNumber(written);
  const body = toRequestBody({ ...row, idNumber });
  let errors = await validateBody(body);
  let legacy = idNumber !== written;
  if (allowLegacy && errors.some((e) => e.field === 'idNumber') && /^\d{17}[\dX]$/.test(idNumber)) {
    const repaired = idNumber.slice(0, 17) + checkCharacter(idNumber.slice(0, 17));
    const retry = await validateBody({ ...body, person: { ...(body.person as object), idNumber: repaired } });
    if (!retry.some((e) => e.field === 'idNumber')) {
      errors = retry;
      legacy = true;
    }
  }
  if (errors.length > 0) return { errors };
  const dto = plainToInstance(CreateInflowDto, body);
  dto.person.idNumber = idNumber;
  return { dto, legacy };
}

async function validateBody(body: Record<string, unknown>): Promise<ErrorDetail[]> {
  const dto = plainToInstance(CreateInflowDto, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return flattenValidationErrors(errors).map((e) => ({
    field: PERSON_FIELDS[e.field] ?? e.field,
    // A yes/no column is text in a register: say which words it takes, not the JSON type.
    message: e.field === 'pregnant' && e.message !== '不能为空' ? allowedMessage('是否怀孕', 'boolean') : e.message,
  }));
}

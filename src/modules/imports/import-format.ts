import { Readable } from 'node:stream';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { ErrorDetail } from '@/common/errors';
import { checkCharacter } from '@/common/identity';
import { flattenValidationErrors } from '@/common/validation';
import { CreateInflowDto } from '@/modules/inflows/inflows.dto';

export type ImportFormat = 'csv' | 'xlsx';

interface Column {
  field: string;
  label: string;
  /** Chinese label → API value, for enum columns. */
  values?: Record<string, string>;
  example: string;
}

// The template's columns: Chinese headers for people, the API's English names accepted as well (api.md).
export const COLUMNS: Column[] = [
  { field: 'idNumber', label: '公民身份号码', example: '421381199003070026' },
  { field: 'name', label: '姓名', example: '王芳' },
  { field: 'phone', label: '联系电话', example: '13800000000' },
  { field: 'householdCode', label: '户籍地代码', example: '421381101201' },
  { field: 'destinationCode', label: '现居住地代码', example: '330802005001' },
  { field: 'address', label: '现居住地址', example: '衢州市柯城区金桂社区 12 号' },
  { field: 'arrivalDate', label: '到达日期', example: '2026-11-02' },
  { field: 'reason', label: '流动原因', values: { 务工: 'work', 经商: 'business', 随迁投亲: 'family', 学习: 'study', 其他: 'other' }, example: '务工' },
  { field: 'maritalStatus', label: '婚姻状况', values: { 未婚: 'unmarried', 初婚: 'first_married', 再婚: 'remarried', 离婚: 'divorced', 丧偶: 'widowed' }, example: '初婚' },
  { field: 'contraception', label: '避孕节育情况', values: { 未采取措施: 'none', 宫内节育器: 'iud', 皮下埋植: 'implant', 绝育: 'sterilization', 口服避孕药: 'pill', 避孕套: 'condom', 其他: 'other' }, example: '宫内节育器' },
  { field: 'pregnant', label: '是否怀孕', values: { 是: 'true', 否: 'false' }, example: '否' },
  { field: 'certificateNumber', label: '婚育证明编号', example: '' },
];

const BY_HEADER = new Map<string, Column>(COLUMNS.flatMap((c) => [[c.label, c], [c.field, c], [c.field.toLowerCase(), c]] as [string, Column][]));

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

function toRows(header: string[], records: string[][]): { rows: RawRow[]; unknown: string[] } {
  const columns = header.map((h) => BY_HEADER.get(h.trim()) ?? BY_HEADER.get(h.trim().toLowerCase()));
  const unknown = header.filter((h, i) => h.trim() !== '' && !columns[i]);
  const rows = records
    .filter((r) => r.some((cell) => String(cell ?? '').trim() !== ''))
    .map((record) => {
      const row: RawRow = {};
      columns.forEach((column, i) => {
        if (column) row[column.field] = String(record[i] ?? '').trim();
      });
      return row;
    });
  return { rows, unknown };
}

/** All data rows of a CSV or XLSX register, keyed by API field name; rows are numbered from 1 in file order. */
export async function readRows(buffer: Buffer, format: ImportFormat): Promise<{ rows: RawRow[]; unknown: string[] }> {
  if (format === 'csv') {
    const records: string[][] = parse(decodeCsv(buffer), { relax_column_count: true, skip_empty_lines: true, bom: true });
    if (records.length === 0) return { rows: [], unknown: [] };
    return toRows(records[0], records.slice(1));
  }
  // The streaming reader keeps a 20 MB workbook from being inflated into memory at once.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(buffer), { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache' });
  let header: string[] | null = null;
  const records: string[][] = [];
  for await (const worksheet of reader) {
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const cells = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (!header) header = cells;
      else records.push(cells);
    }
    break; // the first sheet is the register; the template's second sheet holds the value lists
  }
  return header ? toRows(header, records) : { rows: [], unknown: [] };
}

/** Counts data rows cheaply, to refuse an oversized register at upload (400) instead of in the worker. */
export async function countRows(buffer: Buffer, format: ImportFormat): Promise<number> {
  if (format === 'csv') {
    const text = decodeCsv(buffer);
    let lines = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
    return Math.max(0, lines + (text.endsWith('\n') ? 0 : 1) - 1);
  }
  return (await readRows(buffer, format)).rows.length;
}

const PERSON_FIELDS: Record<string, string> = { 'person.idNumber': 'idNumber', 'person.name': 'name', 'person.phone': 'phone' };

function enumValue(field: string, raw: string): string {
  const column = COLUMNS.find((c) => c.field === field);
  return column?.values?.[raw] ?? raw;
}

/** A row as the body of `POST /api/inflows`, so it goes through exactly the same validation and rules. */
export function toRequestBody(row: RawRow): Record<string, unknown> {
  const optional = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  const pregnant = optional(row.pregnant) === undefined ? undefined : enumValue('pregnant', row.pregnant.trim().toLowerCase() === 'true' ? 'true' : row.pregnant.trim());
  return {
    person: { idNumber: row.idNumber, name: row.name, phone: optional(row.phone) },
    householdCode: row.householdCode,
    destinationCode: row.destinationCode,
    address: row.address,
    arrivalDate: excelDate(row.arrivalDate),
    reason: enumValue('reason', row.reason ?? ''),
    maritalStatus: enumValue('maritalStatus', row.maritalStatus ?? ''),
    contraception: enumValue('contraception', row.contraception ?? ''),
    pregnant: pregnant === 'true' ? true : pregnant === 'false' ? false : pregnant,
    certificateNumber: optional(row.certificateNumber),
    submit: true,
  };
}

/** A date cell Excel stored as a bare serial number (no date style) becomes YYYY-MM-DD; anything else is kept as typed. */
function excelDate(value: string | undefined): string | undefined {
  if (value && /^\d{5}(\.\d+)?$/.test(value)) {
    return new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(value)) * 86_400_000).toISOString().slice(0, 10);
  }
  return value;
}

export type RowCheck = { dto: CreateInflowDto; legacy: boolean } | { errors: ErrorDetail[] };

/**
 * Validates a row with the API's own DTO. A legacy row (the old national platform stopped checking check digits) is
 * accepted only when the import says legacy=true and the check digit is the only fault; it keeps its number as written.
 */
export async function checkRow(row: RawRow, allowLegacy: boolean): Promise<RowCheck> {
  const body = toRequestBody(row);
  const idNumber = String(row.idNumber ?? '').trim().toUpperCase();
  let errors = await validateBody(body);
  let legacy = false;
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
  return flattenValidationErrors(errors).map((e) => ({ field: PERSON_FIELDS[e.field] ?? e.field, message: e.message }));
}

/** The register template: Chinese headers, drop-down lists for every enum column, one example row. */
export async function buildTemplate(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('流入登记');
  const lists = workbook.addWorksheet('取值');
  sheet.columns = COLUMNS.map((c) => ({ header: c.label, key: c.field, width: Math.max(14, c.label.length * 3) }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(Object.fromEntries(COLUMNS.map((c) => [c.field, c.example])));
  COLUMNS.forEach((column, index) => {
    if (!column.values) return;
    const labels = Object.keys(column.values);
    const letter = String.fromCharCode(65 + index);
    labels.forEach((label, i) => (lists.getCell(i + 1, index + 1).value = label));
    for (let r = 2; r <= 1000; r++) {
      sheet.getCell(`${letter}${r}`).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`'取值'!$${letter}$1:$${letter}$${labels.length}`],
        showErrorMessage: true,
        errorTitle: '取值不在允许范围内',
        error: `请从下拉列表中选择：${labels.join('、')}`,
      };
    }
  });
  for (const field of ['idNumber', 'householdCode', 'destinationCode', 'arrivalDate', 'phone', 'certificateNumber']) {
    sheet.getColumn(field).numFmt = '@';
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiPropertyOptional } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IsOptionalField } from './dto';
import { IsIn } from 'class-validator';
import { Errors } from './errors';

// 导出 Excel (api.md, "Lists for paper and Excel"): a list as a file, with the list's own filters, Chinese headers,
// Beijing times and ID numbers masked, at most EXPORT_MAX_ROWS rows; each export is one audit entry (by its caller).

export type Cell = string | number | null;
export type ExportFormat = 'xlsx' | 'csv';
export const EXPORT_MAX_ROWS = 10_000;

/** `format=xlsx` (the default) or `csv`, added to a list's query. */
export class ExportFormatQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptionalField()
  @IsIn(['xlsx', 'csv'], { message: '只能是 xlsx 或 csv' })
  format: ExportFormat = 'xlsx';
}

/** Past the limit the clerk narrows the filter; a file of 10 000 rows is already more than anyone prints. */
export function tooManyRows(): Error {
  return Errors.unprocessable('TOO_MANY_ROWS', `导出不能超过 ${EXPORT_MAX_ROWS} 行，请缩小筛选范围（如登记日期、状态）后再导出`);
}

export function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would be a formula in Excel: quote it as text (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** UTF-8 with a byte-order mark, so Excel opens the Chinese headers correctly. */
export function toCsvFile(headers: string[], rows: Cell[][]): Buffer {
  const lines = [headers, ...rows].map((r) => r.map(csvField).join(','));
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

/** One sheet: a title line, the headers (bold, frozen), the rows; every cell text, so numbers keep their zeros. */
export async function toXlsxFile(sheetName: string, title: string, headers: string[], rows: Cell[][]): Promise<Buffer> {
  const { default: excel } = await import('exceljs');
  const book = new excel.Workbook();
  book.creator = '流动 Liudong';
  const sheet = book.addWorksheet(sheetName);
  sheet.addRow([title]);
  sheet.addRow(headers).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  headers.forEach((h, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.max(10, Math.min(40, Math.max(h.length * 2, ...rows.slice(0, 200).map((r) => String(r[i] ?? '').length * 1.6)) + 2));
    column.numFmt = '@';
  });
  sheet.views = [{ state: 'frozen', ySplit: 2 }];
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The file as the answer: its type, a download name in Chinese (with an ASCII fallback) and no caching. */
export async function sendTable(
  reply: FastifyReply,
  format: ExportFormat,
  names: { ascii: string; chinese: string; sheet: string; title: string },
  headers: string[],
  rows: Cell[][],
): Promise<Buffer> {
  const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  void reply
    .header('Content-Type', type)
    .header('Content-Disposition', `attachment; filename="${names.ascii}.${format}"; filename*=UTF-8''${encodeURIComponent(`${names.chinese}.${format}`)}`)
    .header('Cache-Control', 'no-store');
  return format === 'csv' ? toCsvFile(headers, rows) : toXlsxFile(names.sheet, names.title, headers, rows);
}

/**
 * What an export's audit entry records (api.md: "one audit entry, with the filter"): the filter as given, except a
 * search text, which may be a name or an ID number and is recorded only as having been given; and the rows written.
 */
export function exportFilter(query: object, rows: number): Record<string, unknown> {
  const filter = Object.fromEntries(Object.entries(query).filter(([key, value]) => value !== undefined && !['page', 'pageSize', 'format', 'q'].includes(key)));
  return { filter, ...('q' in query && query.q ? { searched: true } : {}), rows };
}

/** The OpenAPI description of an export route: a file, XLSX or CSV. */
export function ApiTableFile(): MethodDecorator {
  return applyDecorators(
    ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'),
    ApiOkResponse({ description: 'XLSX（默认）或 CSV 文件', schema: { type: 'string', format: 'binary' } }),
  );
}

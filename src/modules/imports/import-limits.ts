import { createRequire } from 'node:module';
import { Duplex, Readable } from 'node:stream';
import type { ImportFormat } from './import-format';

// What an uploaded register may cost to read (quality.md "Abuse"). A 660 KB XLSX can hold shared strings that unpack
// to 305 MB, so a spreadsheet is never inflated by the API process: it reads only the ZIP's central directory (what
// the file declares). The worker then counts what really unpacks, since declared sizes can lie, and stops at the
// first limit.

/**
 * All of an XLSX's parts together, unpacked (quality.md). A register of the template's columns unpacks to about 480
 * bytes a row, so this is about 100 000 rows; a larger register goes in parts, or as CSV (no unpacking, IMPORT_MAX_BYTES).
 */
export const MAX_UNPACKED_BYTES = 50 * 1024 * 1024;

/** A register's file broke a limit or cannot be read: the upload is refused (400) or the import ends `failed` with this message. */
export class ImportFileError extends Error {
  constructor(
    readonly code: 'FILE_TOO_LARGE' | 'IMPORT_TOO_MANY_ROWS' | 'FILE_UNREADABLE' | 'FILE_EMPTY',
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}

export const fileErrors = {
  unpacked: () => new ImportFileError('FILE_TOO_LARGE', `文件解压后超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB（约 10 万行），请分批导入或另存为 CSV`),
  sharedStrings: (limit: number) => new ImportFileError('FILE_TOO_LARGE', `文件中的文字条目超过 ${limit} 个，请分批导入`),
  cellFormats: (limit: number) => new ImportFileError('FILE_TOO_LARGE', `文件中的单元格格式超过 ${limit} 种，请将数据复制到模板后再导入`),
  rows: (limit: number, rows?: number) =>
    new ImportFileError('IMPORT_TOO_MANY_ROWS', `一次最多导入 ${limit} 行，此文件${rows === undefined ? `超过 ${limit}` : `有 ${rows}`} 行，请分批导入`),
  unreadable: () => new ImportFileError('FILE_UNREADABLE', '文件无法读取，请使用模板另存为 XLSX 或 CSV'),
  empty: () => new ImportFileError('FILE_EMPTY', '文件中没有数据行'),
};

/** The parts a ZIP's central directory lists and the unpacked bytes it declares for them; nothing is inflated. */
export function zipDirectory(buffer: Buffer): { names: string[]; declaredBytes: number } {
  // The directory's end record is the last 22 bytes, or comes before a comment of at most 65 535 bytes.
  let end = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 0xffff); i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw fileErrors.unreadable();
  const entries = buffer.readUInt16LE(end + 10);
  const start = buffer.readUInt32LE(end + 16);
  if (start + buffer.readUInt32LE(end + 12) > end) throw fileErrors.unreadable();
  const names: string[] = [];
  let declaredBytes = 0;
  for (let n = 0, at = start; n < entries; n++) {
    if (at + 46 > end || buffer.readUInt32LE(at) !== 0x02014b50) throw fileErrors.unreadable();
    const size = buffer.readUInt32LE(at + 24);
    // 0xFFFFFFFF: the real size is in a ZIP64 field, past 4 GB.
    declaredBytes += size === 0xffffffff ? Infinity : size;
    const nameLength = buffer.readUInt16LE(at + 28);
    names.push(buffer.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
  }
  return { names, declaredBytes };
}

/** An XLSX whose directory declares too much, or no worksheet, is refused without inflating a byte. */
export function checkXlsxDirectory(buffer: Buffer): void {
  const { names, declaredBytes } = zipDirectory(buffer);
  if (!names.some((name) => /^xl\/worksheets\/[^/]+\.xml$/.test(name))) throw fileErrors.unreadable();
  if (declaredBytes > MAX_UNPACKED_BYTES) throw fileErrors.unpacked();
}

interface ZipEntry extends Readable {
  path: string;
}

/**
 * exceljs's own streaming ZIP reader (unzipper), loaded only when a workbook is read: counting with the very parser
 * exceljs then reads with means the limits see every part exactly as exceljs will, parts the directory omits included.
 */
function exceljsUnzipper(): { Parse: (options: { forceStream: true }) => Duplex } {
  return createRequire(require.resolve('exceljs'))('unzipper') as { Parse: (options: { forceStream: true }) => Duplex };
}

/** Elements exceljs makes an object of, per part it reads whole: shared strings (`<si>`, `<si/>`, rich-text runs `<r>`) and cell formats. */
const COUNTED: Record<string, RegExp> = {
  'xl/sharedStrings.xml': /<(?:si|r)[\s/>]/g,
  'xl/styles.xml': /<xf[\s/>]/g,
};
/** Excel itself allows about 64 000 cell formats. */
const MAX_CELL_FORMATS = 65_000;

/**
 * In the worker, before exceljs reads an XLSX: inflates every part once into nothing, counting the bytes that really
 * unpack (at most MAX_UNPACKED_BYTES in all), the shared strings with their rich-text runs (at most `maxSharedStrings`)
 * and the cell formats, and stops at the first limit. Elements are counted by their start tags, so `<si/>` counts as
 * `<si>…</si>` does. Memory stays at a chunk; the time is that of inflating at most 50 MB.
 */
export async function checkXlsxUnpacked(buffer: Buffer, maxSharedStrings: number): Promise<void> {
  const zip = Readable.from([buffer]).pipe(exceljsUnzipper().Parse({ forceStream: true }));
  let unpacked = 0;
  try {
    for await (const entry of zip as AsyncIterable<ZipEntry>) {
      const pattern = COUNTED[entry.path];
      const limit = entry.path === 'xl/styles.xml' ? MAX_CELL_FORMATS : maxSharedStrings;
      let elements = 0;
      let carry = '';
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        unpacked += chunk.length;
        if (unpacked > MAX_UNPACKED_BYTES) throw fileErrors.unpacked();
        if (!pattern) continue;
        // A start tag may straddle two chunks: the last bytes of one are searched again with the next (the tags are ASCII).
        const text = carry + chunk.toString('latin1');
        elements += text.match(pattern)?.length ?? 0;
        if (elements > limit) throw entry.path === 'xl/styles.xml' ? fileErrors.cellFormats(limit) : fileErrors.sharedStrings(limit);
        // Keep only the start of a tag not yet complete, so no element is counted twice.
        const tail = text.slice(-4);
        const piece = tail.slice(Math.max(0, tail.lastIndexOf('<')));
        carry = piece.startsWith('<') && !new RegExp(pattern.source).test(piece) ? piece : '';
      }
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw fileErrors.unreadable();
  } finally {
    // The parser may still report what it was doing when it was stopped: nothing is listening for it any more.
    zip.on('error', () => undefined);
    zip.destroy();
  }
}

/**
 * What the API process checks of an upload, without inflating anything: a CSV's data rows (its lines but the header,
 * counted on the bytes: a newline byte is never part of a UTF-8 or GBK character), an XLSX's central directory (its
 * rows are known once the worker reads it: null).
 */
export function checkUpload(buffer: Buffer, format: ImportFormat, maxRows: number): number | null {
  if (format === 'xlsx') {
    checkXlsxDirectory(buffer);
    return null;
  }
  let lines = 0;
  for (let at = buffer.indexOf(0x0a); at >= 0; at = buffer.indexOf(0x0a, at + 1)) lines++;
  const rows = Math.max(0, lines + (buffer.length > 0 && buffer[buffer.length - 1] === 0x0a ? 0 : 1) - 1);
  if (rows === 0) throw fileErrors.empty();
  if (rows > maxRows) throw fileErrors.rows(maxRows, rows);
  return rows;
}

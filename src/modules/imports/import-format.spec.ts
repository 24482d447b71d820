import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import { readRows } from './import-format';
import { zipDirectory } from './import-limits';

// The order of a ZIP's parts is its writer's: exceljs itself writes them in a varying order. A register whose worksheet
// comes before xl/workbook.xml must read as any other (it was refused as unreadable about once in 150 uploads).

type Zip = {
  file(name: string, data?: Buffer): { async(type: 'nodebuffer'): Promise<Buffer> } | null;
  files: Record<string, unknown>;
  generateAsync(o: object): Promise<Buffer>;
};
const JSZip = createRequire(require.resolve('exceljs'))('jszip') as { loadAsync(b: Buffer): Promise<Zip>; new (): Zip };

async function register(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('流入登记');
  sheet.addRow(['公民身份号码', '姓名']);
  sheet.addRow(['110101199003070011', '张伟']);
  book.addWorksheet('填写说明').addRow(['说明']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The same parts, xl/workbook.xml last: the shared strings and the relationships read, the worksheet before it. */
async function worksheetsFirst(buffer: Buffer): Promise<Buffer> {
  const source = await JSZip.loadAsync(buffer);
  const names = Object.keys(source.files).filter((n) => !n.endsWith('/'));
  const order = [
    ...names.filter((n) => !n.startsWith('xl/worksheets/') && n !== 'xl/workbook.xml'),
    ...names.filter((n) => n.startsWith('xl/worksheets/')),
    'xl/workbook.xml',
  ];
  const target = new JSZip();
  for (const name of order) target.file(name, await (source.file(name) as { async(type: 'nodebuffer'): Promise<Buffer> }).async('nodebuffer'));
  return target.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('reading an XLSX register whatever the order of its parts', () => {
  it('reads the rows of a workbook whose worksheet comes before xl/workbook.xml', async () => {
    const reordered = await worksheetsFirst(await register());
    const names = zipDirectory(reordered).names;
    expect(names.indexOf('xl/sharedStrings.xml')).toBeLessThan(names.indexOf('xl/worksheets/sheet1.xml'));
    expect(names.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(names.indexOf('xl/workbook.xml'));
    const rows = [];
    for await (const row of readRows(reordered, 'xlsx')) rows.push(row);
    expect(rows).toEqual([{ cells: { idNumber: '110101199003070011', name: '张伟' }, sheetRow: 2 }]);
  });
});

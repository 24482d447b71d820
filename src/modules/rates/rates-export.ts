import { labelOf } from '@/common/labels';
import { Cell, csvField } from '@/common/table-export';
import { beijingTime } from '@/common/time';
import { FlowFigure, RateFigure } from './rate-math';
import { RateRow, RatesReport } from './rates.service';

// The table of children with every count, for supervisors' own spreadsheets. Headers are Chinese; rates are
// fractions (0–1) in CSV and percentages formatted by Excel in XLSX.

const verdict = (f: RateFigure) => (f.meetsTarget === null ? '无数据' : f.meetsTarget ? '达标' : '未达标');

const flowColumns = (label: string) => [
  `${label}-按时`,
  `${label}-超时完成`,
  `${label}-逾期未办`,
  `${label}-期限内待办`,
  `${label}-分子`,
  `${label}-分母`,
  `${label}率`,
  `${label}率目标`,
  `${label}率是否达标`,
];
const flowCells = (f: FlowFigure): Cell[] => [f.onTime, f.late, f.overdue, f.pending, f.numerator, f.denominator, f.rate, f.target, verdict(f)];

export const EXPORT_HEADERS = [
  '行政区划代码',
  '名称',
  '层级',
  ...flowColumns('信息提交'),
  ...flowColumns('反馈'),
  '有效联系-分子',
  '有效联系-分母',
  '有效联系率',
  '有效联系率目标',
  '有效联系率是否达标',
];

function cells(row: RateRow, name = row.jurisdiction.name): Cell[] {
  const c = row.effectiveContact;
  return [
    row.jurisdiction.code,
    name,
    labelOf('level', row.jurisdiction.level),
    ...flowCells(row.submission),
    ...flowCells(row.feedback),
    c.numerator,
    c.denominator,
    c.rate,
    c.target,
    verdict(c),
  ];
}

/** One row per child (and the jurisdiction's own items if any), then the total. */
export function exportRows(report: RatesReport): Cell[][] {
  return [...report.children.map((r) => cells(r)), cells(report, `${report.jurisdiction.name}（合计）`)];
}

/** UTF-8 with a byte-order mark, so Excel opens the Chinese headers correctly. */
export function toCsv(report: RatesReport): Buffer {
  const lines = [EXPORT_HEADERS, ...exportRows(report)].map((r) => r.map(csvField).join(','));
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toXlsx(report: RatesReport): Promise<Buffer> {
  const { default: excel } = await import('exceljs');
  const book = new excel.Workbook();
  book.creator = '流动 Liudong';
  const sheet = book.addWorksheet('考核指标');
  sheet.addRow([`${report.jurisdiction.name} 考核指标 统计期 ${report.from} 至 ${report.to}，截至 ${beijingTime(report.asOf)}（北京时间）`]);
  const header = sheet.addRow(EXPORT_HEADERS);
  header.font = { bold: true };
  for (const row of exportRows(report)) sheet.addRow(row);
  EXPORT_HEADERS.forEach((h, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.max(10, h.length * 2 + 2);
    if (h.endsWith('率') || h.endsWith('率目标')) column.numFmt = '0.00%';
  });
  sheet.getColumn(1).numFmt = '@';
  sheet.views = [{ state: 'frozen', xSplit: 2, ySplit: 2 }];
  return Buffer.from(await book.xlsx.writeBuffer());
}

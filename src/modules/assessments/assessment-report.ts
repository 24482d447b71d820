import { cjkFont } from '@/common/cjk-font';
import { labelOf } from '@/common/labels';
import { barsHeight, barsOption, ChartPoint, trendOption } from '@/common/rate-charts';
import { beijingTime } from '@/common/time';
import type { RateFigure } from '@/modules/rates/rate-math';
import type { AssessmentView } from './assessments.dto';

// 月报 (assessment.md): the frozen month on A4 as PDF, and the same tables as XLSX. The charts are the console's own
// ECharts options (src/common/rate-charts.ts) rendered to SVG on the server and drawn into the PDF as vectors.
// pdfkit, ECharts and exceljs are loaded on the first report, not at start.

export interface ReminderLine {
  sentAt: Date;
  place: string;
  indicator: string | null;
  sender: string;
  recipients: number;
}

export interface MonthlyReport {
  assessment: AssessmentView;
  /** 湖北省随州市: the jurisdiction's full name, as the title reads. */
  fullName: string;
  /** The twelve months up to this one, as frozen (fewer when the service holds fewer). */
  trend: ChartPoint[];
  reminders: ReminderLine[];
  verifyUrl: string;
  confirmedBy: string | null;
}

export function reportTitle(r: Pick<MonthlyReport, 'fullName'> & { assessment: { month: string } }): string {
  const [y, m] = r.assessment.month.split('-');
  return `${r.fullName}${y}年${Number(m)}月流动人口信息交换考核月报`;
}

const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const verdict = (f: RateFigure) => (f.meetsTarget === null ? '无数据' : f.meetsTarget ? '达标' : '未达标');
const INDICATORS = [
  ['submission', '信息提交率'],
  ['feedback', '反馈率'],
  ['effectiveContact', '有效联系率'],
] as const;

type Doc = PDFKit.PDFDocument;
const PAGE = { width: 595.28, height: 841.89, margin: 42 };
const CONTENT = PAGE.width - 2 * PAGE.margin;

let chartsReady: Promise<typeof import('echarts')> | undefined;

/**
 * ECharts' CommonJS build (every chart and component: the ESM entry points would need require(esm)), measuring text
 * with the PDF's own font so that labels are laid out as they will be drawn.
 */
function charts(measure: (text: string, size: number) => number) {
  chartsReady ??= import('echarts').then((echarts) => {
    echarts.setPlatformAPI({
      measureText: (text: string, font?: string) => ({ width: measure(text, Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12)) }),
    });
    return echarts;
  });
  return chartsReady;
}

async function svgOf(option: Record<string, unknown>, width: number, height: number, measure: (text: string, size: number) => number): Promise<string> {
  const echarts = await charts(measure);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export async function renderReportPdf(r: MonthlyReport): Promise<Buffer> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }, QRCode] = await Promise.all([import('pdfkit'), import('svg-to-pdfkit'), import('qrcode')]);
  const a = r.assessment;
  const title = reportTitle(r);
  const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, bufferPages: true, info: { Title: title, Author: '流动 Liudong' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  const measure = (text: string, size: number) => doc.fontSize(size).widthOfString(text);
  const left = PAGE.margin;
  const bottom = PAGE.height - PAGE.margin;
  const room = (height: number) => {
    if (doc.y + height > bottom) doc.addPage();
  };
  /** A section's heading, on a new page unless it and `need` points of what follows fit on this one. */
  const heading = (text: string, need = 60) => {
    room(need + 30);
    doc.moveDown(0.6).fontSize(12).fillColor('#000').text(text, left, doc.y, { width: CONTENT });
    doc.moveDown(0.3);
  };

  // Title and period.
  doc.fontSize(16).fillColor('#000').text(title, left, PAGE.margin, { width: CONTENT, align: 'center' });
  doc
    .moveDown(0.4)
    .fontSize(9)
    .fillColor('#444')
    .text(
      `考核期：${a.from} 至 ${a.to}（截止日 ${a.to} 24:00，北京时间）  冻结时间：${beijingTime(a.frozenAt)}${a.frozenLate ? '（本服务启用前已截止的月份，按截止时点补算）' : ''}`,
      { width: CONTENT, align: 'center' },
    );

  // The three rates as cards.
  const cardTop = doc.y + 10;
  const cardWidth = (CONTENT - 2 * 10) / 3;
  INDICATORS.forEach(([key, label], i) => {
    const f = a[key];
    const x = left + i * (cardWidth + 10);
    doc.roundedRect(x, cardTop, cardWidth, 74, 4).lineWidth(0.8).strokeColor('#c0c4cc').stroke();
    doc
      .fontSize(10)
      .fillColor('#333')
      .text(label, x + 10, cardTop + 8, { width: cardWidth - 20 });
    doc
      .fontSize(18)
      .fillColor(f.meetsTarget === false ? '#b3261e' : '#000')
      .text(pct(f.rate), x + 10, cardTop + 24, { width: cardWidth - 20 });
    doc
      .fontSize(8.5)
      .fillColor('#444')
      .text(`${f.numerator} / ${f.denominator}  目标 ${pct(f.target)}  ${verdict(f)}`, x + 10, cardTop + 52, { width: cardWidth - 20 });
  });
  doc.x = left;
  doc.y = cardTop + 84;

  // The children's table with ranks.
  const ranked = a.children;
  if (ranked.length) {
    heading(`各下级考核结果与排名（${ranked.filter((c) => c.ranks).length} 个）`);
    const columns = [
      { title: '辖区', width: 118 },
      { title: '信息提交率', width: 74 },
      { title: '名次', width: 30 },
      { title: '反馈率', width: 74 },
      { title: '名次', width: 30 },
      { title: '有效联系率', width: 74 },
      { title: '名次', width: 30 },
      { title: '综合排名', width: 46 },
      { title: '确认', width: CONTENT - 476 },
    ];
    const cell = (r: (typeof ranked)[number], key: 'submission' | 'feedback' | 'effectiveContact') =>
      `${pct(r[key].rate)} (${r[key].numerator}/${r[key].denominator})`;
    table(
      doc,
      columns,
      ranked.map((c) => [
        c.jurisdiction.name,
        cell(c, 'submission'),
        c.ranks ? String(c.ranks.submission) : '—',
        cell(c, 'feedback'),
        c.ranks ? String(c.ranks.feedback) : '—',
        cell(c, 'effectiveContact'),
        c.ranks ? String(c.ranks.effectiveContact) : '—',
        c.ranks ? String(c.ranks.overall) : '—',
        c.self || !['province', 'city', 'county'].includes(c.jurisdiction.level) ? '' : c.confirmation ? '已确认' : '未确认',
      ]),
      bottom,
    );

    // The bar chart of the children with items, as the console draws it (rates.md: the same rows it charts).
    const charted = ranked.filter((c) => !c.self && INDICATORS.some(([key]) => c[key].denominator > 0));
    const height = Math.min(barsHeight(charted), 560);
    const svg = await svgOf(barsOption(charted, a.submission.target), Math.round(CONTENT), height, measure);
    heading('各下级对比（虚线为目标）', height);
    SVGtoPDF(doc, svg, left, doc.y, { width: CONTENT, height, fontCallback: () => 'cjk' });
    doc.y += height;
  }

  // The 12-month trend.
  if (r.trend.length) {
    const svg = await svgOf(trendOption(r.trend), Math.round(CONTENT), 240, measure);
    heading(`按月趋势（${r.trend[0].period} 至 ${r.trend[r.trend.length - 1].period}，各月冻结数据）`, 240);
    SVGtoPDF(doc, svg, left, doc.y, { width: CONTENT, height: 240, fontCallback: () => 'cjk' });
    doc.y += 240;
  }

  heading('逾期事项最多的乡镇（截止时点）');
  if (a.overdueTownships.length) {
    table(
      doc,
      [
        { title: '乡镇（街道）', width: 300 },
        { title: '逾期未提交', width: 70 },
        { title: '逾期未反馈', width: 70 },
        { title: '合计', width: CONTENT - 440 },
      ],
      a.overdueTownships.map((t) => [t.jurisdiction.name, String(t.submission), String(t.feedback), String(t.total)]),
      bottom,
    );
  } else {
    doc.fontSize(9).fillColor('#444').text('截止时点没有逾期事项。', left, doc.y, { width: CONTENT });
  }

  heading('本月催办');
  if (r.reminders.length) {
    table(
      doc,
      [
        { title: '时间', width: 90 },
        { title: '被催办辖区', width: 230 },
        { title: '指标', width: 70 },
        { title: '发出人', width: 70 },
        { title: '接收人数', width: CONTENT - 460 },
      ],
      r.reminders.map((m) => [beijingTime(m.sentAt), m.place, m.indicator ? labelOf('indicator', m.indicator) : '全部', m.sender, String(m.recipients)]),
      bottom,
    );
  } else {
    doc.fontSize(9).fillColor('#444').text('本月没有催办。', left, doc.y, { width: CONTENT });
  }

  // Signature block, hash and QR code, kept together on one page.
  room(150);
  const top = doc.y + 16;
  doc.fontSize(10.5).fillColor('#000');
  doc.text('制表人：______________', left, top, { width: 170 });
  doc.text(`审核人：${r.confirmedBy ? `${r.confirmedBy}（已确认）` : '______________'}`, left + 175, top, { width: 185 });
  doc.text('日期：______________', left + 365, top, { width: CONTENT - 365 });
  const qr = await QRCode.toBuffer(r.verifyUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  doc.image(qr, left, top + 30, { width: 86 });
  doc
    .fontSize(8)
    .fillColor('#444')
    .text(`数据摘要（SHA-256）：${a.hash}`, left + 100, top + 34, { width: CONTENT - 100 })
    .moveDown(0.4)
    .text(`扫描二维码或打开 ${r.verifyUrl} 可核验本月报的数据是否与冻结时一致。本月报数据于截止时点冻结并由系统签名，冻结后任何补报、更正均不改变本月数据。`, {
      width: CONTENT - 100,
    });

  // Page numbers.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin pdfkit would start a new page for the line: the footer is written with none.
    doc.page.margins.bottom = 0;
    doc
      .fontSize(8)
      .fillColor('#666')
      .text(`第 ${i + 1} 页，共 ${range.count} 页`, left, PAGE.height - 30, { width: CONTENT, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}

/** A plain ruled table; rows that would cross the bottom margin start a new page with the header again. */
function table(doc: Doc, columns: { title: string; width: number }[], rows: string[][], bottom: number): void {
  const left = PAGE.margin;
  const line = (cells: string[], bold: boolean) => {
    const height = Math.max(16, ...cells.map((c, i) => doc.fontSize(8.5).heightOfString(c, { width: columns[i].width - 6 }) + 6));
    if (doc.y + height > bottom) {
      doc.addPage();
      if (!bold)
        line(
          columns.map((c) => c.title),
          true,
        );
    }
    const y = doc.y;
    let x = left;
    if (bold) doc.rect(left, y, CONTENT, height).fill('#eef2f7');
    doc.fillColor('#000');
    cells.forEach((c, i) => {
      doc.fontSize(8.5).text(c, x + 3, y + 3, { width: columns[i].width - 6, lineBreak: true });
      x += columns[i].width;
    });
    doc
      .moveTo(left, y + height)
      .lineTo(left + CONTENT, y + height)
      .lineWidth(0.4)
      .strokeColor('#c0c4cc')
      .stroke();
    doc.x = left;
    doc.y = y + height;
  };
  line(
    columns.map((c) => c.title),
    true,
  );
  for (const row of rows) line(row, false);
}

export async function renderReportXlsx(r: MonthlyReport): Promise<Buffer> {
  const { default: excel } = await import('exceljs');
  const a = r.assessment;
  const book = new excel.Workbook();
  book.creator = '流动 Liudong';
  const title = reportTitle(r);
  const period = `考核期 ${a.from} 至 ${a.to}（截止日 24:00 北京时间），冻结于 ${beijingTime(a.frozenAt)}，数据摘要 ${a.hash}`;

  const summary = book.addWorksheet('考核结果');
  summary.addRow([title]).font = { bold: true, size: 14 };
  summary.addRow([period]);
  summary.addRow(['指标', '分子', '分母', '比率', '目标', '是否达标']).font = { bold: true };
  for (const [key, label] of INDICATORS) {
    const f = a[key];
    summary.addRow([label, f.numerator, f.denominator, f.rate, f.target, verdict(f)]);
  }
  summary.getColumn(1).width = 14;
  summary.getColumn(4).numFmt = '0.00%';
  summary.getColumn(5).numFmt = '0.00%';

  const children = book.addWorksheet('各下级排名');
  children.addRow([title]).font = { bold: true };
  const headers = [
    '行政区划代码',
    '名称',
    '信息提交-分子',
    '信息提交-分母',
    '信息提交率',
    '信息提交率名次',
    '反馈-分子',
    '反馈-分母',
    '反馈率',
    '反馈率名次',
    '有效联系-分子',
    '有效联系-分母',
    '有效联系率',
    '有效联系率名次',
    '综合排名',
    '确认',
  ];
  children.addRow(headers).font = { bold: true };
  for (const c of a.children) {
    const rank = (k: 'submission' | 'feedback' | 'effectiveContact' | 'overall') => (c.ranks ? c.ranks[k] : null);
    children.addRow([
      c.jurisdiction.code,
      c.jurisdiction.name,
      c.submission.numerator,
      c.submission.denominator,
      c.submission.rate,
      rank('submission'),
      c.feedback.numerator,
      c.feedback.denominator,
      c.feedback.rate,
      rank('feedback'),
      c.effectiveContact.numerator,
      c.effectiveContact.denominator,
      c.effectiveContact.rate,
      rank('effectiveContact'),
      rank('overall'),
      c.self || !['province', 'city', 'county'].includes(c.jurisdiction.level) ? '' : c.confirmation ? '已确认' : '未确认',
    ]);
  }
  headers.forEach((h, i) => {
    const column = children.getColumn(i + 1);
    column.width = Math.max(10, h.length * 2 + 2);
    if (h.endsWith('率')) column.numFmt = '0.00%';
  });
  children.getColumn(1).numFmt = '@';
  children.views = [{ state: 'frozen', xSplit: 2, ySplit: 2 }];

  const overdue = book.addWorksheet('逾期最多的乡镇');
  overdue.addRow(['乡镇（街道）', '逾期未提交', '逾期未反馈', '合计']).font = { bold: true };
  for (const t of a.overdueTownships) overdue.addRow([t.jurisdiction.name, t.submission, t.feedback, t.total]);
  overdue.getColumn(1).width = 40;

  const trend = book.addWorksheet('按月趋势');
  trend.addRow(['考核月份', '信息提交率', '反馈率', '有效联系率']).font = { bold: true };
  for (const p of r.trend) trend.addRow([p.period, p.submission.rate, p.feedback.rate, p.effectiveContact.rate]);
  for (const i of [2, 3, 4]) trend.getColumn(i).numFmt = '0.00%';

  const reminders = book.addWorksheet('本月催办');
  reminders.addRow(['时间（北京）', '被催办辖区', '指标', '发出人', '接收人数']).font = { bold: true };
  for (const m of r.reminders)
    reminders.addRow([beijingTime(m.sentAt), m.place, m.indicator ? labelOf('indicator', m.indicator) : '全部', m.sender, m.recipients]);
  reminders.getColumn(2).width = 40;
  return Buffer.from(await book.xlsx.writeBuffer());
}

import { cjkFont } from '@/common/cjk-font';
import { labelOf } from '@/common/labels';
import { beijingTime } from '@/common/time';
import { InflowResponse } from './inflow-response';

// 打印登记表 (api.md GET /api/inflows/:id/form.pdf): the registration on paper for the person to check and sign, with
// the 承诺书 text when a written undertaking replaced the 婚育证明. pdfkit is loaded on first print.

/** The undertaking a person signs instead of showing a 婚育证明 (流动人口计划生育工作条例, Art. 7–8). */
export const UNDERTAKING_TEXT =
  '本人承诺：以上所填婚育情况真实无误。本人暂未能出具婚育证明，将在三个月内向现居住地乡镇（街道）提交；如所填不实，愿承担相应责任。';

export interface PrintableRegistration {
  inflow: InflowResponse;
  householdName: string;
  destinationName: string;
}

export async function renderRegistrationPdf({ inflow: r, householdName, destinationName }: PrintableRegistration): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: '流动人口信息登记表', Author: '流动 Liudong' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  doc.fontSize(20).text('流动人口信息登记表', { align: 'center' });
  doc
    .moveDown(0.3)
    .fontSize(10)
    .fillColor('#444')
    .text(`登记时间：${beijingTime(r.registeredAt)}（北京时间）\u3000状态：${labelOf('inflowStatus', r.status)}`, {
      align: 'center',
    });
  doc.fillColor('#000').moveDown(1).fontSize(12);
  const rows: [string, string][] = [
    ['姓名', r.person.name],
    ['公民身份号码', r.person.idNumber],
    ['性别', labelOf('sex', r.person.sex)],
    ['出生日期', r.person.birthDate ?? `${r.person.age} 周岁`],
    ['联系电话', r.phone ?? '—'],
    ['户籍地', householdName],
    ['现居住地', destinationName],
    ['详细地址', r.address],
    ['到达日期', r.arrivalDate],
    ['流动原因', labelOf('reason', r.reason)],
    ['婚姻状况', labelOf('maritalStatus', r.maritalStatus)],
    ['配偶', r.spouse ? `${r.spouse.name}（${r.spouse.idNumber}）` : '—'],
    ['子女', r.children.length ? r.children.map((c, i) => `第${i + 1}孩：${labelOf('sex', c.sex)}，${c.birthDate} 出生`).join('；') : '无'],
    ['避孕节育情况', labelOf('contraception', r.contraception)],
    ...(r.person.sex === 'female' ? ([['是否怀孕', r.pregnant ? '是' : '否']] as [string, string][]) : []),
    [
      '婚育证明',
      r.certificateNumber ? `${r.certificateNumber}（${labelOf('certificateCheck', r.certificateCheck)}）` : labelOf('certificateCheck', r.certificateCheck),
    ],
  ];
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.text(`${label}：`, 56, y, { width: 120 });
    doc.text(value, 180, y, { width: 360 });
    doc.moveDown(0.5);
  }
  if (r.undertaking) {
    doc.moveDown(0.8).fontSize(13).text('个人承诺书', 56, doc.y, { width: 484 });
    doc.moveDown(0.3).fontSize(11).text(UNDERTAKING_TEXT, { width: 484 });
  }
  doc.moveDown(1.5).fontSize(12).text('以上信息经本人核对无误。', 56, doc.y, { width: 484 });
  doc.moveDown(1.2).text('本人签名：____________________\u3000\u3000日期：________年____月____日', { width: 484 });
  doc.moveDown(1.2).text('登记人：____________________', { width: 484 });
  doc.end();
  return done;
}

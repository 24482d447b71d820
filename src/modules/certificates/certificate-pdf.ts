import { cjkFont } from '@/common/cjk-font';
import { ageOn, birthDateOf } from '@/common/identity';
import { labelOf } from '@/common/labels';
import { beijingTime, todayInShanghai } from '@/common/time';
import { Certificate } from './certificate.entity';

// pdfkit and qrcode are loaded on first print, not at start: processes that never print do not carry them.

export interface PrintableCertificate {
  certificate: Certificate;
  status: string;
  idNumber: string;
  spouseIdNumber: string | null;
  issuerName: string;
  verifyUrl: string;
}

/** An A4 流动人口婚育证明 with the legal items (Art. 7) and a QR code of its public verification URL. */
export async function renderCertificatePdf(p: PrintableCertificate): Promise<Buffer> {
  const c = p.certificate;
  const [{ default: PDFDocument }, QRCode] = await Promise.all([import('pdfkit'), import('qrcode')]);
  const qr = await QRCode.toBuffer(p.verifyUrl, { errorCorrectionLevel: 'M', margin: 1, width: 360 });
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `流动人口婚育证明 ${c.number}`, Author: '流动 Liudong' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  doc.fontSize(22).text('流动人口婚育证明', { align: 'center' });
  doc
    .moveDown(0.3)
    .fontSize(11)
    .fillColor('#444')
    .text(`编号：${c.number}\u3000\u3000状态：${labelOf('certificateStatus', p.status)}`, { align: 'center' });
  doc.fillColor('#000').moveDown(1.2).fontSize(13);

  const birthDate = birthDateOf(p.idNumber);
  const rows: [string, string][] = [
    ['姓名', c.holderName],
    ['年龄', `${ageOn(birthDate, todayInShanghai())} 周岁（${birthDate} 出生）`],
    ['公民身份号码', p.idNumber],
    ['婚姻状况', labelOf('maritalStatus', c.maritalStatus)],
    ['配偶姓名', c.spouseName ?? '—'],
    ['配偶公民身份号码', p.spouseIdNumber ?? '—'],
    ['生育状况', c.children.length === 0 ? '无子女' : c.children.map((ch, i) => `第${i + 1}孩：${labelOf('sex', ch.sex)}，${ch.birthDate} 出生`).join('；')],
    ['避孕节育情况', labelOf('contraception', c.contraception)],
    ['签发机关', p.issuerName],
    ['签发日期', todayInShanghai(c.issuedAt)],
  ];
  for (const [label, value] of rows) {
    const y = doc.y;
    doc.text(`${label}：`, 56, y, { width: 130 });
    doc.text(value, 190, y, { width: 340 });
    doc.moveDown(0.6);
  }
  doc.image(qr, 56, doc.y + 20, { width: 130 });
  doc
    .fontSize(10)
    .fillColor('#444')
    .text('扫描二维码可查验本证明的真伪及是否有效。本证明依据《流动人口计划生育工作条例》第七条出具，免费办理。', 200, doc.y + 40, { width: 330 });
  doc.moveDown(0.8).text(`打印时间：${beijingTime(new Date())}（北京时间）`, { width: 330 });
  doc.end();
  return done;
}

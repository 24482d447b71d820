import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import * as QRCode from 'qrcode';
import { ageOn, birthDateOf } from '@/common/identity';
import { todayInShanghai } from '@/common/time';
import { Certificate } from './certificate.entity';

// Noto Sans SC ships in an npm package, so printing needs no system font. Loaded once, on first use.
let font: Buffer | undefined;
function cjkFont(): Buffer {
  font ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'));
  return font;
}

const MARITAL: Record<string, string> = { unmarried: '未婚', first_married: '初婚', remarried: '再婚', divorced: '离婚', widowed: '丧偶' };
const CONTRACEPTION: Record<string, string> = { none: '未采取措施', iud: '宫内节育器', implant: '皮下埋植', sterilization: '绝育', pill: '口服避孕药', condom: '避孕套', other: '其他' };
const STATUS: Record<string, string> = { valid: '有效', superseded: '已换发', revoked: '已注销', lapsed: '已失效' };

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
  const qr = await QRCode.toBuffer(p.verifyUrl, { errorCorrectionLevel: 'M', margin: 1, width: 360 });
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `流动人口婚育证明 ${c.number}`, Author: '流动 Liudong' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.registerFont('cjk', cjkFont());
  doc.font('cjk');
  doc.fontSize(22).text('流动人口婚育证明', { align: 'center' });
  doc.moveDown(0.3).fontSize(11).fillColor('#444').text(`编号：${c.number}　　状态：${STATUS[p.status] ?? p.status}`, { align: 'center' });
  doc.fillColor('#000').moveDown(1.2).fontSize(13);

  const birthDate = birthDateOf(p.idNumber);
  const rows: [string, string][] = [
    ['姓名', c.holderName],
    ['年龄', `${ageOn(birthDate, todayInShanghai())} 周岁（${birthDate} 出生）`],
    ['公民身份号码', p.idNumber],
    ['婚姻状况', MARITAL[c.maritalStatus] ?? c.maritalStatus],
    ['配偶姓名', c.spouseName ?? '—'],
    ['配偶公民身份号码', p.spouseIdNumber ?? '—'],
    ['生育状况', c.children.length === 0 ? '无子女' : c.children.map((ch, i) => `第${i + 1}孩：${ch.sex === 'male' ? '男' : '女'}，${ch.birthDate} 出生`).join('；')],
    ['避孕节育情况', CONTRACEPTION[c.contraception] ?? c.contraception],
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
  doc.fontSize(10).fillColor('#444').text('扫描二维码可查验本证明的真伪及是否有效。本证明依据《流动人口计划生育工作条例》第七条出具，免费办理。', 200, doc.y + 40, { width: 330 });
  doc.end();
  return done;
}

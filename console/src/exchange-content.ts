import type { components } from '@/api/schema';
import { label } from '@/format';
import { exchangeStateWord } from '@server/deadline';
import type { LabelSet } from '@server/labels';

type Exchange = components['schemas']['ExchangeView'];

/**
 * The state a clerk acts on, the same words on every screen (list, message, case): 待反馈 / 已反馈 / 已逾期 / 无需反馈,
 * or the server's label (已撤回, 待投递, 投递失败).
 */
export function exchangeState(e: Exchange | undefined): { text: string; type: 'primary' | 'success' | 'danger' | 'info' } {
  if (!e) return { text: '', type: 'info' };
  const word = exchangeStateWord(e);
  if (!word) return { text: label('exchangeStatus', e.status), type: 'info' };
  return { text: word, type: word === '已逾期' ? 'danger' : word === '已反馈' ? 'success' : word === '待反馈' ? 'primary' : 'info' };
}

/** One line of what a message says, as a clerk reads it. */
export interface ContentLine {
  label: string;
  value: string;
}

// The inflow fields a notice or a correction can carry: their names on the forms, and the label set of their values.
const FIELDS: Record<string, { name: string; set?: LabelSet }> = {
  name: { name: '姓名' },
  householdCode: { name: '户籍地' },
  address: { name: '详细地址' },
  phone: { name: '联系电话' },
  arrivalDate: { name: '到达日期' },
  reason: { name: '流动原因', set: 'reason' },
  maritalStatus: { name: '婚姻状况', set: 'maritalStatus' },
  contraception: { name: '避孕节育情况', set: 'contraception' },
  pregnant: { name: '是否怀孕', set: 'boolean' },
  certificateCheck: { name: '婚育证明查验', set: 'certificateCheck' },
  certificateNumber: { name: '婚育证明编号' },
  spouse: { name: '配偶' },
  children: { name: '子女' },
};

const DEPARTURE_KINDS: Record<string, string> = { departed: '迁往他处', returned: '返回户籍地', moved_on: '在他处重新登记' };

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** A field's value in words: labels for enum values, 无 for nothing, spouse and children spelled out. */
export function fieldValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '无';
  if (field === 'spouse') {
    const spouse = value as { name?: string; idNumber?: string };
    return [spouse.name, spouse.idNumber].filter(Boolean).join(' ');
  }
  if (field === 'householdCode' && typeof value === 'object') {
    const place = value as { code?: string; name?: string };
    return place.name || place.code || '';
  }
  if (field === 'children') {
    const children = value as { sex: string; birthDate: string }[];
    return children.length ? children.map((c) => `${label('sex', c.sex)} ${c.birthDate}`).join('；') : '无';
  }
  const set = FIELDS[field]?.set;
  return set && typeof value === 'string' ? label(set, value) : text(value);
}

/** Field-by-field lines of an object of inflow fields (an event notice's changes, a reply's corrections). */
export function fieldLines(values: Record<string, unknown> | null | undefined): ContentLine[] {
  return Object.entries(values ?? {}).map(([field, value]) => ({ label: FIELDS[field]?.name ?? field, value: fieldValue(field, value) }));
}

/** What the message says, by type: the lines a clerk needs to act on it without opening the case. */
export function contentOf(exchange: Exchange): ContentLine[] {
  const p = exchange.payload as Record<string, unknown>;
  const lines: ContentLine[] = [];
  const add = (name: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') lines.push({ label: name, value: text(value) });
  };
  switch (exchange.type) {
    case 'inflow_notice':
      add('到达日期', p.arrivalDate);
      if (p.reason) add('流动原因', label('reason', text(p.reason)));
      break;
    case 'verification_request':
      // Sent by a clerk (协查事项 and 说明), or by the service when the certificate check failed.
      add('协查事项', p.subject);
      add('说明', p.question);
      if (p.nameMismatch) add('协查事项', '现居住地登记的姓名与本地人员记录不一致，请核实姓名（在个案中查看登记的姓名；如有误，反馈“信息有误”并填写正确姓名）');
      if (p.certificateCheck) add('婚育证明查验', label('certificateCheck', text(p.certificateCheck)));
      add('婚育证明编号', p.certificateNumber);
      break;
    case 'event_notice':
      lines.push(...fieldLines(p.changes as Record<string, unknown> | undefined));
      if (p.birth) add('说明', '新生育子女，请核实');
      if (p.nameMismatch) add('说明', '现居住地更正的姓名与本地人员记录不一致，请核实姓名（如有误，反馈“信息有误”并填写正确姓名）');
      add('事项', p.subject);
      add('说明', p.question);
      break;
    case 'departure_notice':
      if (p.kind) add('离开类型', DEPARTURE_KINDS[text(p.kind)] ?? text(p.kind));
      add('离开日期', p.date);
      break;
    case 'outflow_notice':
      add('外出日期', p.departureDate);
      break;
  }
  return lines;
}

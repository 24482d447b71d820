import { labelOf } from '@/common/labels';
import { beijingTime } from '@/common/time';
import type { NotificationDraft } from './notifications.service';

// Every text a notification carries, in one place (reminders.md): counts, places, dates and what to do — never a
// person's name, ID number or phone, nor free text a clerk typed (a note may name someone), because a notification
// may be forwarded into a chat group. The test of the channels scans every message the suite sent.

const NEXT_STEP: Record<string, string> = {
  not_ours: '请核对此人的户籍地；更正后会向新的户籍地重新通报。',
  not_found: '请核对身份证号和户籍地，必要时更正户籍地。',
  corrected: '户籍地按其登记更正了部分信息，请打开核对。',
};

/** The outcomes of a reply that ask the registering township to act (reply_action). */
export const ACTION_OUTCOMES = Object.keys(NEXT_STEP);

/** A reply 非本地户籍 / 查无此人 / 信息有误 to one of the township's messages, for its clerks. */
export function replyAction(exchange: { id: string; type: string; sentAt: Date | null }, outcome: string, replier: string): NotificationDraft {
  const said = labelOf('outcome', outcome);
  const sent = exchange.sentAt ? `${beijingTime(exchange.sentAt).slice(0, 10)}发出的` : '';
  return {
    kind: 'reply_action',
    key: `reply:${exchange.id}`,
    title: `反馈“${said}”：一条登记需要核对`,
    body: `${replier}对本乡镇（街道）${sent}${labelOf('exchangeType', exchange.type)}反馈“${said}”。${NEXT_STEP[outcome]}`,
    link: `/exchanges/${exchange.id}`,
  };
}

/** An import finished (done or failed), for the clerk who uploaded it. */
export function importDone(
  job: { id: string; createdAt: Date; total: number; succeeded: number; failed: number; skipped: number },
  error?: string,
): NotificationDraft {
  const uploaded = `${beijingTime(job.createdAt)} 上传的登记表`;
  if (error !== undefined) {
    return { kind: 'import_done', key: `import:${job.id}`, title: '批量导入未完成', body: `${uploaded}未能导入：${error}`, link: '/imports' };
  }
  const refused = job.failed > 0 ? `有 ${job.failed} 行未登记，请打开批量导入查看原因，改正后重新上传。` : '全部登记成功。';
  return {
    kind: 'import_done',
    key: `import:${job.id}`,
    title: `批量导入完成：成功 ${job.succeeded} 行，未登记 ${job.failed} 行`,
    body: `${uploaded}已处理完：共 ${job.total} 行，成功 ${job.succeeded} 行，已登记过跳过 ${job.skipped} 行。${refused}`,
    link: '/imports',
  };
}

/** The daily digest's two notifications for a clerk: replies overdue, and replies due within 3 days. */
export function digestOverdue(day: string, count: number, earliest: Date): NotificationDraft {
  return {
    kind: 'overdue',
    key: `digest:${day}:overdue`,
    title: `${count} 条信息已逾期未反馈`,
    body: `本单位收件箱有 ${count} 条信息已过反馈期限，最早的一条 ${beijingTime(earliest)} 到期。请尽快核实并反馈；逾期未反馈计入反馈率。`,
    link: '/exchanges/inbox?tab=overdue',
  };
}

export function digestDueSoon(day: string, count: number, earliest: Date, days: number): NotificationDraft {
  return {
    kind: 'due_soon',
    key: `digest:${day}:due_soon`,
    title: `${count} 条信息 ${days} 天内到期`,
    body: `本单位收件箱有 ${count} 条信息将在 ${days} 天内到反馈期限，最早的一条 ${beijingTime(earliest)} 到期。请在期限内反馈。`,
    link: '/exchanges/inbox?tab=soon',
  };
}

/** The escalation to a county's supervisors: the townships with replies overdue longer than ESCALATE_AFTER. */
export function escalation(day: string, county: string, afterDays: number, townships: { name: string; count: number }[]): NotificationDraft {
  const total = townships.reduce((sum, t) => sum + t.count, 0);
  const listed = townships
    .slice(0, 10)
    .map((t) => `${t.name} ${t.count} 条`)
    .join('、');
  const more = townships.length > 10 ? ` 等 ${townships.length} 个乡镇（街道）` : '';
  return {
    kind: 'escalation',
    key: `escalation:${day}`,
    title: `${total} 条信息逾期超过 ${afterDays} 天未反馈`,
    body: `辖区内逾期超过 ${afterDays} 天仍未反馈的信息：${listed}${more}。请督促办理。`,
    link: `/rates/items?jurisdiction=${county}&indicator=feedback&state=overdue`,
  };
}

const REMINDER_LINK: Record<string, string> = {
  submission: '/inflows',
  feedback: '/exchanges/inbox?tab=overdue',
  effectiveContact: '/outflows',
};

/** 催办 from a supervisor to a place's clerks: the place's overdue counts at that moment, the note and who sent it. */
export function reminder(
  id: string,
  r: {
    place: string;
    sender: string;
    indicator: string | null;
    note: string | null;
    counts: { submission: number; feedback: number; effectiveContact: number };
  },
): NotificationDraft {
  const what = r.indicator ? labelOf('indicator', r.indicator) : '考核指标';
  const counts = [
    !r.indicator || r.indicator === 'submission' ? `信息提交逾期 ${r.counts.submission} 条` : null,
    !r.indicator || r.indicator === 'feedback' ? `反馈逾期 ${r.counts.feedback} 条` : null,
    !r.indicator || r.indicator === 'effectiveContact' ? `流出人员未联系 ${r.counts.effectiveContact} 人` : null,
  ].filter(Boolean);
  return {
    kind: 'reminder',
    key: `reminder:${id}`,
    title: `催办：${r.place}${what}`,
    body: `${r.sender}催办：${r.place}目前${counts.join('，')}。${r.note ? `说明：${r.note}` : ''}请尽快办理。`,
    link: r.indicator ? REMINDER_LINK[r.indicator] : '/',
  };
}

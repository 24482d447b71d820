import { createHmac } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import { AppConfig } from '@/config/config';
import { checkChannelUrl } from './channel-url';

// How each outward channel is posted to (reminders.md "Channels"). Each send throws an Error whose message, in
// Chinese, is what the settings show as the channel's last error.

export type ChannelKind = 'wecom' | 'dingtalk' | 'email' | 'webhook';
export const CHANNEL_KINDS: ChannelKind[] = ['wecom', 'dingtalk', 'email', 'webhook'];

export interface OutwardMessage {
  kind: string;
  title: string;
  body: string;
  /** The console path (`/exchanges/inbox?tab=overdue`). */
  link: string;
  at: Date;
}

export interface ChannelTarget {
  channel: ChannelKind;
  /** A URL, or an email address. */
  target: string;
  secret: string | null;
}

const TIMEOUT_MS = 5_000;

async function post(url: URL, body: string, headers: Record<string, string> = {}): Promise<Response> {
  try {
    // No redirects: a public URL answering 302 to an office address would walk round the SSRF rule.
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? '超过 5 秒未应答' : '无法连接';
    throw new Error(`${url.host} ${reason}`);
  }
}

/** A robot's JSON answer: errcode 0 is success (企业微信 and 钉钉 both answer so, with HTTP 200 either way). */
async function robotAnswer(res: Response, name: string): Promise<void> {
  if (!res.ok) throw new Error(`${name}应答 HTTP ${res.status}`);
  const answer = (await res.json().catch(() => null)) as { errcode?: number; errmsg?: string } | null;
  if (!answer || answer.errcode !== 0) throw new Error(`${name}拒收：${answer?.errmsg ?? '应答不是 JSON'}（errcode ${answer?.errcode ?? '无'}）`.slice(0, 300));
}

export class ChannelSenders {
  private mailer: Transporter | null = null;

  constructor(private readonly config: AppConfig) {}

  private linkOf(m: OutwardMessage): string {
    return new URL(m.link, this.config.publicUrl).toString();
  }

  async send(to: ChannelTarget, m: OutwardMessage): Promise<void> {
    switch (to.channel) {
      case 'wecom':
        return this.wecom(to, m);
      case 'dingtalk':
        return this.dingtalk(to, m);
      case 'email':
        return this.email(to, m);
      case 'webhook':
        return this.webhook(to, m);
    }
  }

  private async wecom(to: ChannelTarget, m: OutwardMessage): Promise<void> {
    const url = await checkChannelUrl(to.target, this.config.channelAllowPrivate);
    const content = `**${m.title}**\n${m.body}\n[打开工作台](${this.linkOf(m)})`;
    await robotAnswer(await post(url, JSON.stringify({ msgtype: 'markdown', markdown: { content } })), '企业微信');
  }

  /** 钉钉's signed robot: timestamp and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded. */
  private async dingtalk(to: ChannelTarget, m: OutwardMessage): Promise<void> {
    const url = await checkChannelUrl(to.target, this.config.channelAllowPrivate);
    const timestamp = String(Date.now());
    const secret = to.secret ?? '';
    const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('sign', sign);
    const text = `### ${m.title}\n${m.body}\n\n[打开工作台](${this.linkOf(m)})`;
    await robotAnswer(await post(url, JSON.stringify({ msgtype: 'markdown', markdown: { title: m.title, text } })), '钉钉');
  }

  private async email(to: ChannelTarget, m: OutwardMessage): Promise<void> {
    if (!this.config.smtpUrl) throw new Error('未配置邮件服务器（SMTP_URL），无法发送邮件');
    // The timeouts ride on the URL's query (nodemailer reads them there): a dead server answers within seconds.
    const url = new URL(this.config.smtpUrl);
    for (const key of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) if (!url.searchParams.has(key)) url.searchParams.set(key, String(TIMEOUT_MS));
    this.mailer ??= createTransport(url.toString());
    try {
      await this.mailer.sendMail({ from: this.config.mailFrom, to: to.target, subject: m.title, text: `${m.body}\n\n打开工作台：${this.linkOf(m)}` });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new Error(
        code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET'
          ? '邮件服务器无法连接'
          : `邮件服务器拒收：${(error as Error).message}`.slice(0, 300),
      );
    }
  }

  /** Any https endpoint: JSON with the HMAC of the exact body in X-Liudong-Signature. */
  private async webhook(to: ChannelTarget, m: OutwardMessage): Promise<void> {
    const url = await checkChannelUrl(to.target, this.config.channelAllowPrivate);
    const body = JSON.stringify({ kind: m.kind, title: m.title, body: m.body, link: this.linkOf(m), at: m.at.toISOString() });
    const signature = createHmac('sha256', to.secret ?? '')
      .update(body)
      .digest('hex');
    const res = await post(url, body, { 'x-liudong-signature': `sha256=${signature}` });
    if (!res.ok) throw new Error(`Webhook 应答 HTTP ${res.status}`);
  }

  close(): void {
    this.mailer?.close();
  }
}

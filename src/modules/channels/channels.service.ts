import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Errors } from '@/common/errors';
import { IdCipher } from '@/common/id-cipher';
import { AuthUser } from '@/common/scope';
import { AppConfig } from '@/config/config';
import { APP_CONFIG } from '@/config/config.module';
import { AuditService } from '@/modules/audit/audit.service';
import { UsersService } from '@/modules/users/users.service';
import { CHANNEL_KINDS, ChannelKind, ChannelSenders, ChannelTarget, OutwardMessage } from './channel-senders';
import { ChannelUrlError, checkChannelUrl } from './channel-url';
import { ChannelsDto, ChannelsView, ChannelTestView } from './channels.dto';

interface ChannelRow {
  channel: ChannelKind;
  target: string;
  secret: string | null;
  last_error: string | null;
  last_sent_at: Date | null;
}

/** A user's outward channels: kept with sealed secrets, shown without them, tried with a test message. */
@Injectable()
export class ChannelsService implements OnModuleDestroy {
  readonly senders: ChannelSenders;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cipher: IdCipher,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {
    this.senders = new ChannelSenders(config);
  }

  onModuleDestroy(): void {
    this.senders.close();
  }

  async view(userId: string): Promise<ChannelsView> {
    const rows = await this.rows(userId);
    const of = (channel: ChannelKind) => rows.find((r) => r.channel === channel);
    const state = (r: ChannelRow) => ({ lastError: r.last_error, lastSentAt: r.last_sent_at?.toISOString() ?? null });
    const url = (channel: ChannelKind) => {
      const r = of(channel);
      return r ? { url: r.target, ...state(r) } : null;
    };
    const signed = (channel: ChannelKind) => {
      const r = of(channel);
      return r ? { url: r.target, secret: '****', ...state(r) } : null;
    };
    const email = of('email');
    return { wecom: url('wecom'), dingtalk: signed('dingtalk'), email: email ? { address: email.target, ...state(email) } : null, webhook: signed('webhook') };
  }

  /** An admin sets another account's channels (in its subtree, not a peer admin). */
  async setFor(admin: AuthUser, userId: string, dto: ChannelsDto): Promise<ChannelsView> {
    await this.users.manageable(admin, userId);
    return this.set(admin, userId, dto);
  }

  async set(actor: AuthUser, userId: string, dto: ChannelsDto): Promise<ChannelsView> {
    const problems: { field: string; message: string }[] = [];
    const checkUrl = async (field: string, raw: string) => {
      try {
        await checkChannelUrl(raw, this.config.channelAllowPrivate);
      } catch (error) {
        if (!(error instanceof ChannelUrlError)) throw error;
        problems.push({ field, message: error.message });
      }
    };
    if (dto.wecom) await checkUrl('wecom.url', dto.wecom.url);
    if (dto.dingtalk) await checkUrl('dingtalk.url', dto.dingtalk.url);
    if (dto.webhook) await checkUrl('webhook.url', dto.webhook.url);
    if (dto.email && !this.config.smtpUrl) problems.push({ field: 'email.address', message: '本系统未配置邮件服务器（SMTP_URL），暂不能用邮箱接收' });
    if (problems.length) throw Errors.validation(problems);
    await this.db.transaction(async (manager) => {
      for (const channel of CHANNEL_KINDS) {
        const given = dto[channel];
        if (given === undefined) continue;
        if (given === null) {
          await manager.query(`DELETE FROM user_channel WHERE user_id = $1 AND channel = $2`, [userId, channel]);
          continue;
        }
        const target = 'address' in given ? given.address : given.url;
        const secret = 'secret' in given ? this.cipher.sealChannelSecret(given.secret) : null;
        await manager.query(
          `INSERT INTO user_channel (user_id, channel, target, secret) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, channel) DO UPDATE SET target = excluded.target, secret = excluded.secret, last_error = NULL, updated_at = now()`,
          [userId, channel, target, secret],
        );
      }
      await this.audit.record(
        { actor, action: 'update', entity: 'user', entityId: userId, detail: { channels: CHANNEL_KINDS.filter((c) => dto[c] !== undefined) } },
        manager,
      );
    });
    return this.view(userId);
  }

  /** 发送测试消息: to each configured channel at once, each result recorded as a real send's would be. */
  async test(userId: string): Promise<ChannelTestView> {
    const message: OutwardMessage = {
      kind: 'test',
      title: '测试消息',
      body: '这是一条测试消息：收到即说明该渠道可以接收工作台的提醒。',
      link: '/notifications',
      at: new Date(),
    };
    const targets = await this.targets(userId);
    const results = await Promise.all(
      targets.map(async (target) => {
        const error = await this.sendAndRecord(userId, target, message);
        return { channel: target.channel, ok: error === null, error };
      }),
    );
    return { results };
  }

  /** The user's channels with their secrets opened, for sending. */
  async targets(userId: string, only?: ChannelKind): Promise<ChannelTarget[]> {
    return (await this.rows(userId))
      .filter((r) => !only || r.channel === only)
      .map((r) => ({ channel: r.channel, target: r.target, secret: r.secret ? this.cipher.openChannelSecret(r.secret) : null }));
  }

  /** Sends and notes the outcome on the channel (lastSentAt, or lastError); answers the error's message or null. */
  async sendAndRecord(userId: string, target: ChannelTarget, message: OutwardMessage): Promise<string | null> {
    try {
      await this.senders.send(target, message);
      await this.db.query(`UPDATE user_channel SET last_sent_at = now(), last_error = NULL WHERE user_id = $1 AND channel = $2`, [userId, target.channel]);
      return null;
    } catch (error) {
      const said = (error as Error).message.slice(0, 300);
      await this.db.query(`UPDATE user_channel SET last_error = $3 WHERE user_id = $1 AND channel = $2`, [userId, target.channel, said]);
      return said;
    }
  }

  private rows(userId: string): Promise<ChannelRow[]> {
    return this.db.query(`SELECT channel, target, secret, last_error, last_sent_at FROM user_channel WHERE user_id = $1 ORDER BY channel`, [userId]);
  }
}

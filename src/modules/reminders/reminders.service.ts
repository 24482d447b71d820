import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { subtreeRange } from '@/common/division-code';
import { Errors } from '@/common/errors';
import { AuthUser, assertInScope, scopeRange } from '@/common/scope';
import { endOfShanghaiDay, startOfShanghaiDay, todayInShanghai } from '@/common/time';
import { AuditService } from '@/modules/audit/audit.service';
import { toJurisdictionRef } from '@/modules/jurisdictions/jurisdiction.entity';
import { JurisdictionsService } from '@/modules/jurisdictions/jurisdictions.service';
import { reminder as reminderMessage } from '@/modules/notifications/messages';
import { NotificationsService } from '@/modules/notifications/notifications.service';
import { RatesService } from '@/modules/rates/rates.service';
import { CreateReminderDto, ReminderCountsView, ReminderListView, ReminderQuery, ReminderView } from './reminders.dto';

interface ReminderRow {
  id: string;
  jurisdiction_code: string;
  indicator: ReminderView['indicator'];
  note: string | null;
  counts: ReminderCountsView;
  recipients: number;
  read: number;
  sent_at: Date;
  sent_by: string;
  display_name: string;
}

/**
 * 催办 (reminders.md): a supervisor (or admin) reminds a place strictly inside their subtree. Every active clerk of the
 * place gets a `reminder` notification with its overdue counts at that moment, the note and who sent it; the same
 * sender, place and indicator at most once per Beijing day. Audited.
 */
@Injectable()
export class RemindersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rates: RatesService,
    private readonly jurisdictions: JurisdictionsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
  ) {}

  async send(user: AuthUser, dto: CreateReminderDto): Promise<ReminderView> {
    assertInScope(user, dto.jurisdictionCode, 'jurisdictionCode');
    if (dto.jurisdictionCode === user.jurisdictionCode) {
      throw Errors.validation([{ field: 'jurisdictionCode', message: '只能催办本辖区的下级，不能催办本级' }]);
    }
    const place = await this.jurisdictions.require(dto.jurisdictionCode, 'jurisdictionCode');
    // The counts the place sees on 考核指标 now (this year to today).
    const report = await this.rates.report(user, { jurisdiction: place.code } as never);
    const counts: ReminderCountsView = {
      submission: report.submission.overdue,
      feedback: report.feedback.overdue,
      effectiveContact: report.effectiveContact.denominator - report.effectiveContact.numerator,
    };
    const day = todayInShanghai();
    const [low, high] = subtreeRange(place.code);
    const id = await this.db.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO reminder (jurisdiction_code, indicator, note, counts, recipients, sent_by, day)
         VALUES ($1, $2, $3, $4, 0, $5, $6)
         ON CONFLICT (sent_by, jurisdiction_code, COALESCE(indicator, ''), day) DO NOTHING RETURNING id`,
        [place.code, dto.indicator ?? null, dto.note ?? null, JSON.stringify(counts), user.id, day],
      );
      if (inserted.length === 0) throw Errors.conflict('ALREADY_REMINDED', '今天已经就这一指标催办过该辖区，明天可再次催办');
      const reminderId = inserted[0].id;
      const clerks: { id: string }[] = await manager.query(`SELECT id FROM app_user WHERE active AND role = 'staff' AND jurisdiction_code BETWEEN $1 AND $2`, [
        low,
        high,
      ]);
      const names = await this.jurisdictions.fullNames([place.code, user.jurisdictionCode]);
      const draft = reminderMessage(reminderId, {
        place: names.get(place.code) ?? place.name,
        sender: `${names.get(user.jurisdictionCode) ?? ''} ${user.displayName}`.trim(),
        indicator: dto.indicator ?? null,
        note: dto.note ?? null,
        counts,
      });
      const written = await this.notifications.toUsers(
        manager,
        clerks.map((c) => c.id),
        draft,
      );
      await manager.query(`UPDATE reminder SET recipients = $2 WHERE id = $1`, [reminderId, written.length]);
      await this.audit.record(
        { actor: user, action: 'create', entity: 'reminder', entityId: reminderId, detail: { jurisdiction: place.code, indicator: dto.indicator ?? null } },
        manager,
      );
      return reminderId;
    });
    return (await this.rows(`r.id = $1`, [id]))[0];
  }

  /** Reminders sent to places in the caller's subtree (or the asked place's), newest first. */
  async list(user: AuthUser, query: ReminderQuery): Promise<ReminderListView> {
    const code = query.jurisdiction ?? user.jurisdictionCode;
    assertInScope(user, code, 'jurisdiction');
    const { low, high } = scopeRange({ jurisdictionCode: code });
    const from = query.from ? startOfShanghaiDay(query.from) : new Date(0);
    const to = query.to ? endOfShanghaiDay(query.to) : new Date('9999-12-31');
    return { items: await this.rows(`r.jurisdiction_code BETWEEN $1 AND $2 AND r.sent_at >= $3 AND r.sent_at < $4`, [low, high, from, to]) };
  }

  private async rows(where: string, params: unknown[]): Promise<ReminderView[]> {
    const rows: ReminderRow[] = await this.db.query(
      `SELECT r.id, r.jurisdiction_code, r.indicator, r.note, r.counts, r.recipients, r.sent_at, r.sent_by, u.display_name,
              (SELECT count(*)::int FROM notification n WHERE n.dedupe_key = 'reminder:' || r.id AND n.read_at IS NOT NULL) AS read
         FROM reminder r JOIN app_user u ON u.id = r.sent_by
        WHERE ${where}
        ORDER BY r.sent_at DESC
        LIMIT 500`,
      params,
    );
    const places = new Map(await Promise.all(rows.map(async (r) => [r.jurisdiction_code, await this.jurisdictions.findKnown(r.jurisdiction_code)] as const)));
    return rows.map((r) => ({
      id: r.id,
      jurisdiction: toJurisdictionRef(places.get(r.jurisdiction_code) as NonNullable<ReturnType<typeof places.get>>),
      indicator: r.indicator,
      note: r.note,
      counts: r.counts,
      recipients: r.recipients,
      read: r.read,
      sentAt: r.sent_at.toISOString(),
      by: { id: r.sent_by, displayName: r.display_name },
    }));
  }
}

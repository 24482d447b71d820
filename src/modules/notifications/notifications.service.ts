import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Errors } from '@/common/errors';
import { offsetOf, pageOf } from '@/common/pagination';
import { AuthUser } from '@/common/scope';
import { returningRows } from '@/database/sql';
import { Notification } from './notification.entity';
import { MarkedReadView, NotificationKind, NotificationPageView, NotificationQuery, NotificationView, UnreadCountView } from './notifications.dto';

/**
 * What a notification says (reminders.md): Chinese, counts, places and what to do, a link into the console — never a
 * person's name, ID number or phone, since it may be forwarded into a chat group. `key` makes it once per user.
 */
export interface NotificationDraft {
  kind: NotificationKind;
  key: string;
  title: string;
  body: string;
  link: string;
}

/** 站内消息: written in the transaction of what they tell about (never lost, never twice), read by their owner only. */
@Injectable()
export class NotificationsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The draft to each of `userIds` that does not have it yet; answers the ids of the notifications written. */
  async toUsers(manager: EntityManager, userIds: string[], draft: NotificationDraft): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO notification (user_id, kind, dedupe_key, title, body, link)
       SELECT u, $2, $3, $4, $5, $6 FROM unnest($1::uuid[]) AS u
       ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id`,
      [userIds, draft.kind, draft.key, draft.title, draft.body, draft.link],
    );
    return rows.map((r) => r.id);
  }

  /** A draft of its own to each user (the digest: each clerk's counts), in one statement; answers the ids written. */
  async toEach(manager: EntityManager, items: { userId: string; draft: NotificationDraft }[]): Promise<string[]> {
    if (items.length === 0) return [];
    const column = <K extends keyof NotificationDraft>(key: K) => items.map((i) => i.draft[key]);
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO notification (user_id, kind, dedupe_key, title, body, link)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id`,
      [items.map((i) => i.userId), column('kind'), column('key'), column('title'), column('body'), column('link')],
    );
    return rows.map((r) => r.id);
  }

  /** The draft to every active clerk (staff) of a township and of its villages and communities. */
  async toTownshipStaff(manager: EntityManager, townshipCode: string, draft: NotificationDraft): Promise<string[]> {
    const users: { id: string }[] = await manager.query(`SELECT id FROM app_user WHERE active AND role = 'staff' AND jurisdiction_code LIKE $1 || '%'`, [
      townshipCode.slice(0, 9),
    ]);
    return this.toUsers(
      manager,
      users.map((u) => u.id),
      draft,
    );
  }

  async list(user: AuthUser, query: NotificationQuery): Promise<NotificationPageView> {
    const qb = this.db.getRepository(Notification).createQueryBuilder('n').where('n.user_id = :user', { user: user.id });
    if (query.unread === true) qb.andWhere('n.read_at IS NULL');
    if (query.unread === false) qb.andWhere('n.read_at IS NOT NULL');
    const [rows, total] = await qb.orderBy('n.created_at', 'DESC').addOrderBy('n.id', 'DESC').skip(offsetOf(query)).take(query.pageSize).getManyAndCount();
    return pageOf(rows.map(toView), total, query);
  }

  async unreadCount(user: AuthUser): Promise<UnreadCountView> {
    const [{ count }] = await this.db.query(`SELECT count(*)::int AS count FROM notification WHERE user_id = $1 AND read_at IS NULL`, [user.id]);
    return { count };
  }

  /** Marks one of the caller's notifications read (again is harmless); another user's is not found. */
  async markRead(user: AuthUser, id: string): Promise<NotificationView> {
    const [row] = await returningRows(this.db, `UPDATE notification SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING id`, [
      id,
      user.id,
    ]);
    if (!row) throw Errors.notFound('消息');
    return toView((await this.db.getRepository(Notification).findOneBy({ id })) as Notification);
  }

  async markAllRead(user: AuthUser): Promise<MarkedReadView> {
    const rows = await returningRows(this.db, `UPDATE notification SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING id`, [user.id]);
    return { count: rows.length };
  }
}

function toView(n: Notification): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 站内消息 (reminders.md): one user's notifications. `dedupe_key` makes each one once per user whatever retries —
 * a reply's `reply:<exchange>`, an import's `import:<id>`, a day's digest `digest:<date>:due_soon` — so PostgreSQL,
 * not a timer or Redis, decides that a digest went out.
 */
export class Notifications1795394100000 implements MigrationInterface {
  name = 'Notifications1795394100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification (
        id          uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id     uuid NOT NULL,
        kind        varchar(20) NOT NULL,
        dedupe_key  varchar(120) NOT NULL,
        title       varchar(200) NOT NULL,
        body        varchar(2000) NOT NULL,
        link        varchar(500) NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        read_at     timestamptz,
        CONSTRAINT notification_pkey PRIMARY KEY (id),
        CONSTRAINT notification_user_fk FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE,
        CONSTRAINT notification_once UNIQUE (user_id, dedupe_key),
        CONSTRAINT notification_kind_check CHECK (kind IN ('due_soon', 'overdue', 'reply_action', 'import_done', 'reminder', 'escalation'))
      )`);
    await q.query(`CREATE INDEX notification_user_created_idx ON notification (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX notification_unread_idx ON notification (user_id) WHERE read_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification`);
  }
}

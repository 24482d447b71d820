import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's outward channels (reminders.md): 企业微信 and 钉钉 robots, an email address, a signed webhook. Secrets are
 * sealed (AES-GCM, their own key). A notification is fanned out to its user's channels once (`fanned_out_at`), by the
 * workers, after it is committed: a failing channel never holds up the console's notification or another channel.
 */
export class Channels1795394500000 implements MigrationInterface {
  name = 'Channels1795394500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_channel (
        user_id       uuid NOT NULL,
        channel       varchar(10) NOT NULL,
        target        varchar(500) NOT NULL,
        secret        text,
        last_error    varchar(300),
        last_sent_at  timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_channel_pkey PRIMARY KEY (user_id, channel),
        CONSTRAINT user_channel_user_fk FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE,
        CONSTRAINT user_channel_check CHECK (channel IN ('wecom', 'dingtalk', 'email', 'webhook'))
      )`);
    await q.query(`ALTER TABLE notification ADD COLUMN fanned_out_at timestamptz`);
    // Notifications written before channels existed have nothing to fan out.
    await q.query(`UPDATE notification SET fanned_out_at = created_at`);
    await q.query(`CREATE INDEX notification_unfanned_idx ON notification (created_at) WHERE fanned_out_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification DROP COLUMN fanned_out_at`);
    await q.query(`DROP TABLE user_channel`);
  }
}

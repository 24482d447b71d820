import { MigrationInterface, QueryRunner } from 'typeorm';

export class Exchanges1795392200000 implements MigrationInterface {
  name = 'Exchanges1795392200000';

  public async up(q: QueryRunner): Promise<void> {
    // Every message between two townships about one case. The row is written in the same transaction as the
    // record that owes it (transactional outbox): status 'queued' with enqueued_at NULL is the relay's work list.
    await q.query(`
      CREATE TABLE exchange (
        id                uuid NOT NULL DEFAULT gen_random_uuid(),
        case_id           uuid NOT NULL,
        type              varchar(24) NOT NULL,
        from_code         varchar(12) COLLATE "C" NOT NULL,
        to_code           varchar(12) COLLATE "C" NOT NULL,
        from_unit_code    varchar(12) COLLATE "C" NOT NULL,
        to_unit_code      varchar(12) COLLATE "C" NOT NULL,
        urgent            boolean NOT NULL DEFAULT false,
        needs_reply       boolean NOT NULL,
        -- The time limit in force when the message was sent; due_at = delivered_at + this.
        reply_limit_ms    bigint,
        payload           jsonb NOT NULL DEFAULT '{}',
        status            varchar(10) NOT NULL DEFAULT 'queued',
        sent_at           timestamptz NOT NULL DEFAULT now(),
        enqueued_at       timestamptz,
        delivered_at      timestamptz,
        due_at            timestamptz,
        replied_at        timestamptz,
        reply_outcome     varchar(16),
        reply_note        varchar(1000),
        reply_corrections jsonb,
        replied_by        uuid,
        attempts          integer NOT NULL DEFAULT 0,
        last_error        varchar(1000),
        overdue_noted_at  timestamptz,
        created_by        uuid,
        CONSTRAINT exchange_pkey PRIMARY KEY (id),
        CONSTRAINT exchange_case_fk FOREIGN KEY (case_id) REFERENCES migrant_case (id),
        CONSTRAINT exchange_type_chk
          CHECK (type IN ('inflow_notice', 'verification_request', 'event_notice', 'departure_notice', 'outflow_notice')),
        CONSTRAINT exchange_status_chk CHECK (status IN ('queued', 'delivered', 'replied', 'failed')),
        CONSTRAINT exchange_reply_chk CHECK ((status = 'replied') = (replied_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX exchange_to_unit_code_idx ON exchange (to_unit_code, due_at)`);
    await q.query(`CREATE INDEX exchange_from_unit_code_idx ON exchange (from_unit_code, sent_at DESC)`);
    await q.query(`CREATE INDEX exchange_case_id_idx ON exchange (case_id, sent_at)`);
    await q.query(`CREATE INDEX exchange_unsent_idx ON exchange (sent_at) WHERE status = 'queued'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE exchange`);
  }
}

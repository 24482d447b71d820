import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A single registration in fewer statements (issue 16, B1 and B6). Under B1's load each statement of the database
 * functions cost ~0.15 ms to set up whatever its rows, so:
 * - the notices a submission owes (the inflow notice, and a verification request for a key target) are one INSERT
 *   instead of a read and two inserts;
 * - the rates trigger of inserted inflows is one statement instead of five: the submission delta, the "has another
 *   record?" test, the new person's contact breakpoint and its delta are its CTEs, and the household is read from the
 *   person row it joins (`person_household`, a SQL function that every calling statement sets up again, only when the
 *   row has none). People with another record still have their breakpoints recomputed by `rate_contact_refresh`,
 *   after the statement, as before.
 * The answers and counts are the same: the registration tests compare the notices, the rates property test the counts
 * with the brute force.
 */
export class SingleRegistrationStatements1795393000000 implements MigrationInterface {
  name = 'SingleRegistrationStatements1795393000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION inflow_submission_notices(p_inflow uuid, p_actor uuid, p_at timestamptz, p_limit_ms bigint, p_urgent_limit_ms bigint)
      RETURNS uuid[] LANGUAGE plpgsql AS $$
      DECLARE
        ids uuid[];
      BEGIN
        WITH x AS (
          INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at,
                                created_by, enqueued_at)
          SELECT i.case_id, k.type, i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code,
                 k.type = 'verification_request' AND i.pregnant, true,
                 CASE WHEN k.type = 'verification_request' AND i.pregnant THEN p_urgent_limit_ms ELSE p_limit_ms END,
                 CASE WHEN k.type = 'inflow_notice'
                   THEN jsonb_build_object('inflowId', i.id, 'arrivalDate', to_char(i.arrival_date, 'YYYY-MM-DD'), 'destinationCode', i.destination_code,
                                           'reason', i.reason)
                   ELSE jsonb_build_object('inflowId', i.id, 'certificateCheck', i.certificate_check, 'certificateNumber', i.certificate_number) END,
                 p_at, p_actor, p_at
            FROM inflow i CROSS JOIN LATERAL (VALUES (1, 'inflow_notice'), (2, 'verification_request')) AS k(o, type)
           WHERE i.id = p_inflow AND (k.type = 'inflow_notice' OR i.key_target)
           ORDER BY k.o
          RETURNING id, type)
        SELECT array_agg(id ORDER BY type = 'verification_request') INTO ids FROM x;
        IF ids IS NULL THEN RAISE EXCEPTION 'inflow % not found', p_inflow USING ERRCODE = 'no_data_found'; END IF;
        RETURN ids;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_inflows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refresh uuid[];
        p uuid;
      BEGIN
        WITH submission AS (
          INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
          SELECT 's', n.destination_code, shanghai_day(n.registered_at), shanghai_day(n.submission_due_at), count(*),
                 count(*) FILTER (WHERE n.submitted_at <= n.submission_due_at), count(*) FILTER (WHERE n.submitted_at > n.submission_due_at)
            FROM new_rows n GROUP BY 2, 3, 4
        ), own AS (
          -- People with another record (a contact breakpoint, an outflow, another submitted inflow) have their
          -- breakpoints recomputed below; for everyone else the only contact interval is this inflow's own (from
          -- submission until closed), whose breakpoints are written here — the same events, a fraction of the work.
          SELECT n.person_id, coalesce(person.household_code, person_household(n.person_id)) AS household, n.submitted_at, n.closed_at,
                 EXISTS (SELECT 1 FROM contact_event e WHERE e.person_id = n.person_id)
                   OR EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = n.person_id)
                   OR EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = n.person_id AND i.id <> n.id AND i.submitted_at IS NOT NULL) AS other_record
            FROM new_rows n JOIN person ON person.id = n.person_id
        ), interval AS (
          SELECT * FROM own
           WHERE NOT other_record AND household IS NOT NULL AND submitted_at IS NOT NULL AND (closed_at IS NULL OR closed_at > submitted_at)
        ), added AS (
          INSERT INTO contact_event (person_id, code, at, d_den, d_num)
          SELECT person_id, household, submitted_at, 1, 1 FROM interval
          UNION ALL
          SELECT person_id, household, closed_at, -1, -1 FROM interval WHERE closed_at IS NOT NULL
          RETURNING code, at, d_den, d_num
        ), contact AS (
          INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
          SELECT 'c', code, shanghai_day(at), shanghai_day(at), sum(d_den), sum(d_num), 0 FROM added GROUP BY 2, 3
        )
        SELECT coalesce(array_agg(DISTINCT person_id) FILTER (WHERE other_record), '{}') INTO refresh FROM own;
        FOREACH p IN ARRAY refresh LOOP
          PERFORM rate_contact_refresh(p);
        END LOOP;
        RETURN NULL;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION inflow_submission_notices(p_inflow uuid, p_actor uuid, p_at timestamptz, p_limit_ms bigint, p_urgent_limit_ms bigint)
      RETURNS uuid[] LANGUAGE plpgsql AS $$
      DECLARE
        i inflow;
        ids uuid[] := '{}';
        new_id uuid;
      BEGIN
        SELECT * INTO STRICT i FROM inflow WHERE id = p_inflow;
        INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at,
                created_by, enqueued_at)
        VALUES (i.case_id, 'inflow_notice', i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code, false, true, p_limit_ms,
                jsonb_build_object('inflowId', i.id, 'arrivalDate', to_char(i.arrival_date, 'YYYY-MM-DD'), 'destinationCode', i.destination_code,
                        'reason', i.reason),
                p_at, p_actor, p_at)
        RETURNING id INTO new_id;
        ids := ids || new_id;
        IF i.key_target THEN
          INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload,
                  sent_at, created_by, enqueued_at)
          VALUES (i.case_id, 'verification_request', i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code,
                  i.pregnant, true,
                  CASE WHEN i.pregnant THEN p_urgent_limit_ms ELSE p_limit_ms END,
                  jsonb_build_object('inflowId', i.id, 'certificateCheck', i.certificate_check, 'certificateNumber', i.certificate_number),
                  p_at, p_actor, p_at)
          RETURNING id INTO new_id;
          ids := ids || new_id;
        END IF;
        RETURN ids;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_inflows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refresh uuid[];
        p uuid;
      BEGIN
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 's', n.destination_code, shanghai_day(n.registered_at), shanghai_day(n.submission_due_at), count(*),
               count(*) FILTER (WHERE n.submitted_at <= n.submission_due_at), count(*) FILTER (WHERE n.submitted_at > n.submission_due_at)
          FROM new_rows n GROUP BY 2, 3, 4;
        refresh := ARRAY(
          SELECT DISTINCT n.person_id FROM new_rows n
           WHERE EXISTS (SELECT 1 FROM contact_event e WHERE e.person_id = n.person_id)
              OR EXISTS (SELECT 1 FROM outflow o WHERE o.person_id = n.person_id)
              OR EXISTS (SELECT 1 FROM inflow i WHERE i.person_id = n.person_id AND i.id <> n.id AND i.submitted_at IS NOT NULL));
        FOREACH p IN ARRAY refresh LOOP
          PERFORM rate_contact_refresh(p);
        END LOOP;
        WITH own AS (
          SELECT n.person_id, person_household(n.person_id) AS household, n.submitted_at, n.closed_at
            FROM new_rows n
           WHERE n.submitted_at IS NOT NULL AND (n.closed_at IS NULL OR n.closed_at > n.submitted_at) AND n.person_id <> ALL (refresh)
        ), added AS (
          INSERT INTO contact_event (person_id, code, at, d_den, d_num)
          SELECT person_id, household, submitted_at, 1, 1 FROM own WHERE household IS NOT NULL
          UNION ALL
          SELECT person_id, household, closed_at, -1, -1 FROM own WHERE household IS NOT NULL AND closed_at IS NOT NULL
          RETURNING code, at, d_den, d_num)
        INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
        SELECT 'c', code, shanghai_day(at), shanghai_day(at), sum(d_den), sum(d_num), 0 FROM added GROUP BY 2, 3;
        RETURN NULL;
      END $$`);
  }
}

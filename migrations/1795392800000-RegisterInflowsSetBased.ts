import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A bulk import's batch, set-based for people never seen before (issue 16, build item 4).
 *
 * `register_inflows(rows jsonb)` answers each element in order, as before (migrations/1795392700000): `{ ok: … }` or
 * `{ refused, detail }`. What changes is how the rows of new people are written: a person who appears once in the batch
 * and whom the person table does not hold needs none of the rules that read other stays (already registered, moved on,
 * a case waiting with an outflow), so those rows are written by one statement per table — persons, cases, inflows,
 * audit rows, notices — instead of one `register_inflow` call each. The person insert is `ON CONFLICT DO NOTHING`: a
 * person registered meanwhile by someone else (the insert waits for that transaction) is left to the per-row path, as
 * are people who appear twice in the batch (their rows run in file order) and people already stored. The row triggers
 * (rates) fire for every row as before, so the roll-ups and contact breakpoints are those of the per-row path.
 */
export class RegisterInflowsSetBased1795392800000 implements MigrationInterface {
  name = 'RegisterInflowsSetBased1795392800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION register_inflows(rows jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
      DECLARE
        r jsonb;
        n bigint;
        here uuid;
        fresh jsonb;
      BEGIN
        WITH src AS (
          SELECT e.r, e.n, count(*) OVER (PARTITION BY e.r->>'idHash') AS times FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(r, n)
        ), single AS (
          SELECT s.r, s.n FROM src s WHERE s.times = 1
        ), p AS (
          INSERT INTO person (id_hash, id_cipher, id_masked, name, sex, birth_date, household_code)
          SELECT s.r->>'idHash', s.r->>'idCipher', s.r->>'idMasked', s.r->>'name', s.r->>'sex', (s.r->>'birthDate')::date, s.r->>'householdCode'
            FROM single s ORDER BY s.n
          ON CONFLICT (id_hash) DO NOTHING
          RETURNING person.id, person.id_hash::text AS id_hash
        ), fresh_rows AS (
          SELECT s.r, s.n, p.id AS person_id FROM single s JOIN p ON p.id_hash = s.r->>'idHash'
        ), c AS (
          INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code)
          SELECT f.person_id, left(f.r->>'householdCode', 9) || '000', left(f.r->>'destinationCode', 9) || '000' FROM fresh_rows f ORDER BY f.n
          RETURNING migrant_case.id, migrant_case.person_id
        ), i AS (
          INSERT INTO inflow (case_id, person_id, household_code, destination_code, origin_township_code, destination_township_code, address, phone,
                              arrival_date, reason, marital_status, spouse_name, spouse_id_cipher, spouse_id_masked, children, contraception, pregnant,
                              certificate_number, undertaking, certificate_check, key_target, legacy, import_id, status, registered_at, submitted_at,
                              submission_due_at, created_by, updated_at)
          SELECT c.id, f.person_id, f.r->>'householdCode', f.r->>'destinationCode', left(f.r->>'householdCode', 9) || '000',
                 left(f.r->>'destinationCode', 9) || '000', f.r->>'address', f.r->>'phone',
                 (f.r->>'arrivalDate')::date, f.r->>'reason', f.r->>'maritalStatus', f.r->>'spouseName', f.r->>'spouseIdCipher', f.r->>'spouseIdMasked',
                 f.r->'children', f.r->>'contraception', (f.r->>'pregnant')::boolean,
                 f.r->>'certificateNumber', (f.r->>'undertaking')::boolean, f.r->>'certificateCheck', (f.r->>'keyTarget')::boolean, (f.r->>'legacy')::boolean,
                 (f.r->>'importId')::uuid, CASE WHEN (f.r->>'submit')::boolean THEN 'active' ELSE 'draft' END, (f.r->>'now')::timestamptz,
                 CASE WHEN (f.r->>'submit')::boolean THEN (f.r->>'now')::timestamptz END,
                 (f.r->>'submissionDueAt')::timestamptz, (f.r->>'userId')::uuid, (f.r->>'now')::timestamptz
            FROM fresh_rows f JOIN c ON c.person_id = f.person_id ORDER BY f.n
          RETURNING inflow.*
        ), a AS (
          INSERT INTO audit_log (user_id, username, jurisdiction_code, action, entity, entity_id, ip, detail)
          SELECT i.created_by, f.r->>'username', f.r->>'userJurisdiction', 'create', 'inflow', i.id::text, f.r->>'ip',
                 jsonb_build_object('submitted', i.submitted_at IS NOT NULL, 'caseId', i.case_id)
            FROM i JOIN fresh_rows f ON f.person_id = i.person_id ORDER BY f.n
        ), x AS (
          -- What submitting owes the origin, as inflow_submission_notices: the inflow notice and, for a key target, a
          -- verification request (urgent when pregnant).
          INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at,
                                created_by, enqueued_at)
          SELECT i.case_id, k.type, i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code,
                 k.type = 'verification_request' AND i.pregnant, true,
                 CASE WHEN k.type = 'verification_request' AND i.pregnant THEN (f.r->>'replyLimitUrgentMs')::bigint ELSE (f.r->>'replyLimitMs')::bigint END,
                 CASE WHEN k.type = 'inflow_notice'
                   THEN jsonb_build_object('inflowId', i.id, 'arrivalDate', to_char(i.arrival_date, 'YYYY-MM-DD'), 'destinationCode', i.destination_code,
                                           'reason', i.reason)
                   ELSE jsonb_build_object('inflowId', i.id, 'certificateCheck', i.certificate_check, 'certificateNumber', i.certificate_number) END,
                 i.submitted_at, i.created_by, i.submitted_at
            FROM i JOIN fresh_rows f ON f.person_id = i.person_id
            CROSS JOIN LATERAL (VALUES (1, 'inflow_notice'), (2, 'verification_request')) AS k(o, type)
           WHERE i.submitted_at IS NOT NULL AND (k.type = 'inflow_notice' OR i.key_target)
           ORDER BY f.n, k.o
          RETURNING exchange.id, exchange.case_id, exchange.type
        )
        SELECT jsonb_object_agg(f.n::text, jsonb_build_object('ok', jsonb_build_object(
                 'inflowId', i.id, 'caseId', i.case_id, 'exchangeIds', COALESCE(sent.ids, '[]'::jsonb))))
          INTO fresh
          FROM fresh_rows f JOIN i ON i.person_id = f.person_id
          LEFT JOIN (SELECT x.case_id, jsonb_agg(x.id ORDER BY x.type = 'verification_request') AS ids FROM x GROUP BY x.case_id) sent
                 ON sent.case_id = i.case_id;

        FOR r, n IN SELECT e.r, e.n FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(r, n) ORDER BY e.n LOOP
          IF fresh IS NOT NULL AND fresh ? n::text THEN
            RETURN NEXT fresh->(n::text);
            CONTINUE;
          END IF;
          -- The per-row path (migrations/1795392700000): the refusal is found before register_inflow writes anything,
          -- so no savepoint is needed.
          SELECT i.id INTO here FROM inflow i
           WHERE i.person_id = (SELECT p.id FROM person p WHERE p.id_hash = (r->>'idHash')::char(64))
             AND i.status IN ('draft', 'active') AND i.destination_township_code = left(r->>'destinationCode', 9) || '000'
           LIMIT 1;
          IF here IS NOT NULL THEN
            RETURN NEXT jsonb_build_object('refused', 'ALREADY_REGISTERED', 'detail', here);
          ELSE
            RETURN NEXT jsonb_build_object('ok', register_inflow(r));
          END IF;
        END LOOP;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION register_inflows(rows jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
      DECLARE
        r jsonb;
        here uuid;
      BEGIN
        FOR r IN SELECT value FROM jsonb_array_elements(rows) LOOP
          SELECT i.id INTO here FROM inflow i
           WHERE i.person_id = (SELECT p.id FROM person p WHERE p.id_hash = (r->>'idHash')::char(64))
             AND i.status IN ('draft', 'active') AND i.destination_township_code = left(r->>'destinationCode', 9) || '000'
           LIMIT 1;
          IF here IS NOT NULL THEN
            RETURN NEXT jsonb_build_object('refused', 'ALREADY_REGISTERED', 'detail', here);
          ELSE
            RETURN NEXT jsonb_build_object('ok', register_inflow(r));
          END IF;
        END LOOP;
      END $$`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registration in one round trip (issue 16). Also: the rates trigger on inflow writes a new person's contact
 * breakpoints directly (see below), and `register_inflow` skips the look-ups a person never seen before cannot need.
 *
 * The transactional part of POST /api/inflows — the person upserted and
 * locked, the rules that need the person's other stays, the earlier stay closed as moved on, the case, the inflow, the
 * audit rows and the outbox rows — as one function, called as one statement (its own transaction). Validation,
 * encryption and the certificate check stay in Node, before the call; the hand-off to BullMQ after it.
 *
 * `r` holds what Node computed: the person's hash, cipher, mask, sex and birth date, the inflow's columns, the actor,
 * the request's address, the time, and the reply time limits. Refusals are raised as `LD409`/`ALREADY_REGISTERED` with
 * the existing inflow's id as the detail.
 */
export class RegisterInflow1795392600000 implements MigrationInterface {
  name = 'RegisterInflow1795392600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_inflow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        household varchar(12);
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          PERFORM rate_flow_delta('s', OLD.destination_code, OLD.registered_at, OLD.submission_due_at, OLD.submitted_at, -1);
          PERFORM rate_contact_refresh(OLD.person_id);
        END IF;
        IF TG_OP = 'INSERT' THEN
          PERFORM rate_flow_delta('s', NEW.destination_code, NEW.registered_at, NEW.submission_due_at, NEW.submitted_at, 1);
          -- Most registrations are of a person with no other record: the only contact interval is this inflow's own
          -- (from submission until closed), so its breakpoints are written directly rather than recomputed through
          -- contact_event_source — the same events, a fraction of the work.
          IF EXISTS (SELECT 1 FROM contact_event WHERE person_id = NEW.person_id)
             OR EXISTS (SELECT 1 FROM outflow WHERE person_id = NEW.person_id)
             OR EXISTS (SELECT 1 FROM inflow WHERE person_id = NEW.person_id AND id <> NEW.id AND submitted_at IS NOT NULL) THEN
            PERFORM rate_contact_refresh(NEW.person_id);
          ELSIF NEW.submitted_at IS NOT NULL AND (NEW.closed_at IS NULL OR NEW.closed_at > NEW.submitted_at) THEN
            household := person_household(NEW.person_id);
            IF household IS NOT NULL THEN
              INSERT INTO contact_event (person_id, code, at, d_den, d_num) VALUES (NEW.person_id, household, NEW.submitted_at, 1, 1);
              INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
              VALUES ('c', household, shanghai_day(NEW.submitted_at), shanghai_day(NEW.submitted_at), 1, 1, 0);
              IF NEW.closed_at IS NOT NULL THEN
                INSERT INTO contact_event (person_id, code, at, d_den, d_num) VALUES (NEW.person_id, household, NEW.closed_at, -1, -1);
                INSERT INTO rate_delta (indicator, code, day, due_day, total, on_time, late)
                VALUES ('c', household, shanghai_day(NEW.closed_at), shanghai_day(NEW.closed_at), -1, -1, 0);
              END IF;
            END IF;
          END IF;
        ELSIF TG_OP = 'UPDATE' THEN
          PERFORM rate_flow_delta('s', NEW.destination_code, NEW.registered_at, NEW.submission_due_at, NEW.submitted_at, 1);
          IF NEW.person_id <> OLD.person_id THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    // What submitting owes the origin (at registration or when a draft is submitted later): the inflow notice and, for a
    // key target, a verification request (urgent when pregnant), with the reply time limits in force now.
    await q.query(`
      CREATE FUNCTION inflow_submission_notices(p_inflow uuid, p_actor uuid, p_at timestamptz, p_limit_ms bigint, p_urgent_limit_ms bigint)
      RETURNS uuid[] LANGUAGE plpgsql AS $$
      DECLARE
        i inflow;
        ids uuid[] := '{}';
        new_id uuid;
      BEGIN
        SELECT * INTO STRICT i FROM inflow WHERE id = p_inflow;
        INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at, created_by, enqueued_at)
        VALUES (i.case_id, 'inflow_notice', i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code, false, true, p_limit_ms,
                jsonb_build_object('inflowId', i.id, 'arrivalDate', to_char(i.arrival_date, 'YYYY-MM-DD'), 'destinationCode', i.destination_code, 'reason', i.reason),
                p_at, p_actor, p_at)
        RETURNING id INTO new_id;
        ids := ids || new_id;
        IF i.key_target THEN
          INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at, created_by, enqueued_at)
          VALUES (i.case_id, 'verification_request', i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code, i.pregnant, true,
                  CASE WHEN i.pregnant THEN p_urgent_limit_ms ELSE p_limit_ms END,
                  jsonb_build_object('inflowId', i.id, 'certificateCheck', i.certificate_check, 'certificateNumber', i.certificate_number),
                  p_at, p_actor, p_at)
          RETURNING id INTO new_id;
          ids := ids || new_id;
        END IF;
        RETURN ids;
      END $$`);
    await q.query(`
      CREATE FUNCTION register_inflow(r jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
      DECLARE
        at timestamptz := (r->>'now')::timestamptz;
        actor uuid := (r->>'userId')::uuid;
        p record;
        here uuid;
        earlier record;
        waiting uuid;
        v_case uuid;
        v_inflow uuid;
        submit boolean := (r->>'submit')::boolean;
        key_target boolean := (r->>'keyTarget')::boolean;
        dest text := r->>'destinationCode';
        home text := r->>'householdCode';
        dest_township text := left(r->>'destinationCode', 9) || '000';
        home_township text := left(r->>'householdCode', 9) || '000';
        moved_payload jsonb;
        exchange_ids uuid[] := '{}';
        new_id uuid;
      BEGIN
        -- ON CONFLICT DO UPDATE locks an existing person; a new one is ours until commit. Either way two registrations
        -- of one person run one after the other from here.
        INSERT INTO person (id_hash, id_cipher, id_masked, name, sex, birth_date, household_code)
        VALUES (r->>'idHash', r->>'idCipher', r->>'idMasked', r->>'name', r->>'sex', (r->>'birthDate')::date, home)
        ON CONFLICT (id_hash) DO UPDATE
          SET name = EXCLUDED.name, household_code = COALESCE(EXCLUDED.household_code, person.household_code), updated_at = now()
        -- xmax = 0: the row was inserted, not updated — a person never seen before has no other stay to consider.
        RETURNING person.*, (person.xmax = 0) AS is_new INTO p;

        IF p.is_new THEN
          INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code) VALUES (p.id, home_township, dest_township)
          RETURNING id INTO v_case;
        ELSE
          SELECT i.id INTO here FROM inflow i
           WHERE i.person_id = p.id AND i.status IN ('draft', 'active') AND i.destination_township_code = dest_township
           LIMIT 1;
          IF here IS NOT NULL THEN
            RAISE EXCEPTION 'ALREADY_REGISTERED' USING ERRCODE = 'LD409', DETAIL = here::text;
          END IF;

          -- Registered here while active elsewhere: the earlier stay ends as moved on; its destination and the origin
          -- are told (domain.md, Cases and linkage).
          moved_payload := jsonb_build_object('kind', 'moved_on', 'date', r->>'arrivalDate', 'newDestinationCode', dest);
          FOR earlier IN SELECT i.id, i.case_id, i.destination_code FROM inflow i WHERE i.person_id = p.id AND i.status IN ('draft', 'active') LOOP
            UPDATE inflow SET status = 'moved_on', closed_at = at, updated_at = at WHERE id = earlier.id;
            UPDATE migrant_case c SET closed_at = at
             WHERE c.id = earlier.case_id AND c.closed_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id AND i.status IN ('draft', 'active'))
               AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active');
            INSERT INTO audit_log (user_id, username, jurisdiction_code, action, entity, entity_id, ip, detail)
            VALUES (actor, r->>'username', r->>'userJurisdiction', 'moved_on', 'inflow', earlier.id::text, r->>'ip', '{"by": "registration_elsewhere"}');
            INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at, created_by, enqueued_at)
            VALUES (earlier.case_id, 'departure_notice', dest_township, left(earlier.destination_code, 9) || '000', dest, earlier.destination_code, false, false, NULL,
                    moved_payload || jsonb_build_object('inflowId', earlier.id), at, actor, at)
            RETURNING id INTO new_id;
            exchange_ids := exchange_ids || new_id;
            INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit_ms, payload, sent_at, created_by, enqueued_at)
            VALUES (earlier.case_id, 'departure_notice', dest_township, home_township, dest, home, false, false, NULL,
                    moved_payload || jsonb_build_object('inflowId', earlier.id), at, actor, at)
            RETURNING id INTO new_id;
            exchange_ids := exchange_ids || new_id;
          END LOOP;

          -- The case: the one the origin opened with an outflow that no inflow has met yet, or a new one (an outflow
          -- still active on an earlier stay then follows the person to it).
          SELECT c.id INTO waiting FROM migrant_case c
           WHERE c.person_id = p.id AND c.closed_at IS NULL
             AND EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')
             AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id)
           ORDER BY c.opened_at DESC LIMIT 1;
          IF waiting IS NOT NULL THEN
            UPDATE migrant_case SET destination_township_code = dest_township WHERE id = waiting;
            v_case := waiting;
          ELSE
            INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code) VALUES (p.id, home_township, dest_township)
            RETURNING id INTO v_case;
            UPDATE outflow SET case_id = v_case WHERE person_id = p.id AND status = 'active';
          END IF;
        END IF;

        INSERT INTO inflow (case_id, person_id, household_code, destination_code, origin_township_code, destination_township_code, address, phone,
                            arrival_date, reason, marital_status, spouse_name, spouse_id_cipher, spouse_id_masked, children, contraception, pregnant,
                            certificate_number, undertaking, certificate_check, key_target, legacy, import_id, status, registered_at, submitted_at,
                            submission_due_at, created_by, updated_at)
        VALUES (v_case, p.id, home, dest, home_township, dest_township, r->>'address', r->>'phone',
                (r->>'arrivalDate')::date, r->>'reason', r->>'maritalStatus', r->>'spouseName', r->>'spouseIdCipher', r->>'spouseIdMasked',
                r->'children', r->>'contraception', (r->>'pregnant')::boolean,
                r->>'certificateNumber', (r->>'undertaking')::boolean, r->>'certificateCheck', key_target, (r->>'legacy')::boolean,
                (r->>'importId')::uuid, CASE WHEN submit THEN 'active' ELSE 'draft' END, at, CASE WHEN submit THEN at END,
                (r->>'submissionDueAt')::timestamptz, actor, at)
        RETURNING id INTO v_inflow;

        INSERT INTO audit_log (user_id, username, jurisdiction_code, action, entity, entity_id, ip, detail)
        VALUES (actor, r->>'username', r->>'userJurisdiction', 'create', 'inflow', v_inflow::text, r->>'ip',
                jsonb_build_object('submitted', submit, 'caseId', v_case));

        IF submit THEN
          exchange_ids := exchange_ids || inflow_submission_notices(v_inflow, actor, at, (r->>'replyLimitMs')::bigint, (r->>'replyLimitUrgentMs')::bigint);
        END IF;

        RETURN jsonb_build_object(
          'inflowId', v_inflow, 'caseId', v_case, 'exchangeIds', to_jsonb(exchange_ids),
          'person', jsonb_build_object('id', p.id, 'idHash', p.id_hash, 'idCipher', p.id_cipher, 'idMasked', p.id_masked, 'name', p.name, 'sex', p.sex,
                                       'birthDate', to_char(p.birth_date, 'YYYY-MM-DD'), 'householdCode', p.household_code,
                                       'createdAt', p.created_at, 'updatedAt', p.updated_at));
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION rate_inflow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          PERFORM rate_flow_delta('s', OLD.destination_code, OLD.registered_at, OLD.submission_due_at, OLD.submitted_at, -1);
          PERFORM rate_contact_refresh(OLD.person_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
          PERFORM rate_flow_delta('s', NEW.destination_code, NEW.registered_at, NEW.submission_due_at, NEW.submitted_at, 1);
          IF TG_OP = 'INSERT' OR NEW.person_id <> OLD.person_id THEN PERFORM rate_contact_refresh(NEW.person_id); END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP FUNCTION register_inflow(jsonb)`);
    await q.query(`DROP FUNCTION inflow_submission_notices(uuid, uuid, timestamptz, bigint, bigint)`);
  }
}

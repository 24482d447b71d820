-- Registering an inflow (流入登记) in one round trip: the person, the case, the registration, its audit entry and what
-- submitting owes the origin, in the caller's transaction. InflowRegistration (inflow-registration.service.ts)
-- validates and prepares the row (encryption, certificate check, time limits) and calls register_inflow for one
-- registration or register_inflows for an import batch; submitting a draft and re-routing a case call
-- inflow_moves_on and inflow_submission_notices.

-- What submitting a registration owes its origin, for one registration or a whole import batch (the one home of
-- this rule): the inflow notice; and a verification request (协查) for a key target — urgent, with the shorter time
-- limit, when pregnant — or for a name that differs from the one on record (the origin knows the person's name).
-- Sent at p_at by p_actor, or when NULL at each registration's own submission by its registering clerk.
CREATE OR REPLACE FUNCTION submission_notices(p_inflows uuid[], p_actor uuid, p_at timestamptz, p_limit text, p_urgent_limit text)
 RETURNS TABLE (inflow_id uuid, exchange_ids uuid[])
 LANGUAGE plpgsql
AS $$
  #variable_conflict use_column
  BEGIN
    -- PL/pgSQL rather than SQL (here and in the helpers a registration calls): its plans are kept for the session,
    -- where an SQL function's would be made again on every call of every registration.
    RETURN QUERY
    WITH x AS (
      INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit, payload, sent_at,
                            created_by, enqueued_at)
      SELECT i.case_id, k.type, i.destination_township_code, i.origin_township_code, i.destination_code, i.household_code,
             k.urgent, t.needs_reply, CASE WHEN NOT t.needs_reply THEN NULL WHEN k.urgent THEN p_urgent_limit ELSE p_limit END,
             CASE WHEN k.type = 'inflow_notice'
               THEN jsonb_build_object('inflowId', i.id, 'arrivalDate', to_char(i.arrival_date, 'YYYY-MM-DD'), 'destinationCode', i.destination_code,
                                       'reason', i.reason)
               ELSE jsonb_build_object('inflowId', i.id, 'certificateCheck', i.certificate_check, 'certificateNumber', i.certificate_number)
                    || CASE WHEN m.mismatch THEN '{"nameMismatch": true}'::jsonb ELSE '{}'::jsonb END END,
             coalesce(p_at, i.submitted_at), coalesce(p_actor, i.created_by), coalesce(p_at, i.submitted_at)
        FROM unnest(p_inflows) WITH ORDINALITY AS w(id, n)
        JOIN inflow i ON i.id = w.id
        JOIN person p ON p.id = i.person_id
        CROSS JOIN LATERAL (SELECT i.name IS NOT NULL AND i.name <> p.name AS mismatch) AS m
        CROSS JOIN LATERAL (VALUES (1, 'inflow_notice', false), (2, 'verification_request', i.key_target AND i.pregnant)) AS k(o, type, urgent)
        JOIN exchange_type t ON t.type = k.type
       WHERE k.type = 'inflow_notice' OR i.key_target OR m.mismatch
       ORDER BY w.n, k.o
      RETURNING exchange.id, exchange.type, (exchange.payload->>'inflowId')::uuid AS sent_for)
    SELECT x.sent_for, array_agg(x.id ORDER BY x.type = 'verification_request') FROM x GROUP BY x.sent_for;
  END
$$;

-- One registration's (a submission, a draft submitted, a case re-routed to another township).
CREATE OR REPLACE FUNCTION inflow_submission_notices(p_inflow uuid, p_actor uuid, p_at timestamptz, p_limit text, p_urgent_limit text)
 RETURNS uuid[]
 LANGUAGE plpgsql
AS $$
  BEGIN
    RETURN coalesce((SELECT s.exchange_ids FROM submission_notices(ARRAY[p_inflow], p_actor, p_at, p_limit, p_urgent_limit) AS s), '{}');
  END
$$;

CREATE OR REPLACE FUNCTION inflow_moves_on(p_inflow uuid, r jsonb)
 RETURNS uuid[]
 LANGUAGE plpgsql
AS $$
  DECLARE
    at timestamptz := (r->>'now')::timestamptz;
    actor uuid := (r->>'userId')::uuid;
    i record;
    earlier record;
    moved_payload jsonb;
    ids uuid[] := '{}';
    new_id uuid;
    waiting uuid;
    own_case uuid;
    -- A receipt-only notice (exchange_type): no time limit.
    departure_needs_reply boolean := (SELECT needs_reply FROM exchange_type WHERE type = 'departure_notice');
  BEGIN
    SELECT * INTO i FROM inflow WHERE id = p_inflow;
    -- A draft kept a case of its own: submitted, it joins the case the same origin opened with an outflow that no
    -- inflow has met yet (and its empty case goes).
    SELECT c.id INTO waiting FROM migrant_case c
     WHERE c.person_id = i.person_id AND c.id <> i.case_id AND c.closed_at IS NULL AND c.origin_township_code = i.origin_township_code
       AND EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')
       AND NOT EXISTS (SELECT 1 FROM inflow x WHERE x.case_id = c.id)
     ORDER BY c.opened_at DESC LIMIT 1;
    IF waiting IS NOT NULL THEN
      own_case := i.case_id;
      UPDATE inflow SET case_id = waiting WHERE id = i.id;
      UPDATE migrant_case SET destination_township_code = i.destination_township_code WHERE id = waiting;
      DELETE FROM migrant_case c WHERE c.id = own_case
         AND NOT EXISTS (SELECT 1 FROM inflow x WHERE x.case_id = c.id) AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM exchange e WHERE e.case_id = c.id);
      i.case_id := waiting;
    END IF;
    -- An outflow of the same origin still active on an earlier stay follows the person to this one (before the
    -- earlier case may close). Another origin's outflow stays on its case: stating a household opens nothing.
    UPDATE outflow SET case_id = i.case_id
     WHERE person_id = i.person_id AND status = 'active' AND case_id <> i.case_id AND origin_township_code = i.origin_township_code;
    -- Registered here while open elsewhere: the earlier stay ends as moved on; its destination and the origin are
    -- told (domain.md, Cases and linkage).
    moved_payload := jsonb_build_object('kind', 'moved_on', 'date', to_char(i.arrival_date, 'YYYY-MM-DD'), 'newDestinationCode', i.destination_code);
    FOR earlier IN SELECT e.id, e.case_id, e.destination_code, e.destination_township_code, e.household_code, e.origin_township_code FROM inflow e
                    WHERE e.person_id = i.person_id AND e.id <> i.id AND e.status IN ('draft', 'active') LOOP
      UPDATE inflow SET status = 'moved_on', closed_at = at, updated_at = at WHERE id = earlier.id;
      PERFORM close_case_if_ended(earlier.case_id, at);
      INSERT INTO audit_log (user_id, username, jurisdiction_code, action, entity, entity_id, ip, detail)
      VALUES (actor, r->>'username', r->>'userJurisdiction', 'moved_on', 'inflow', earlier.id::text, r->>'ip', '{"by": "registration_elsewhere"}');
      INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit, payload, sent_at,
                            created_by, enqueued_at)
      VALUES (earlier.case_id, 'departure_notice', i.destination_township_code, earlier.destination_township_code, i.destination_code,
              earlier.destination_code, false, departure_needs_reply, NULL, moved_payload || jsonb_build_object('inflowId', earlier.id), at, actor, at)
      RETURNING id INTO new_id;
      ids := ids || new_id;
      INSERT INTO exchange (case_id, type, from_code, to_code, from_unit_code, to_unit_code, urgent, needs_reply, reply_limit, payload, sent_at,
                            created_by, enqueued_at)
      -- The earlier stay's own origin: the township its thread is with.
      VALUES (earlier.case_id, 'departure_notice', i.destination_township_code, earlier.origin_township_code, i.destination_code,
              earlier.household_code, false, departure_needs_reply, NULL, moved_payload || jsonb_build_object('inflowId', earlier.id), at, actor, at)
      RETURNING id INTO new_id;
      ids := ids || new_id;
    END LOOP;
    RETURN ids;
  END
$$;

-- "Already registered": a person has one open registration (draft or active) per destination township.
CREATE OR REPLACE FUNCTION registered_here(p_person uuid, p_destination_township text) RETURNS uuid
  LANGUAGE plpgsql STABLE
AS $$
  BEGIN
    RETURN (SELECT i.id FROM inflow i
             WHERE i.person_id = p_person AND i.status IN ('draft', 'active') AND i.destination_township_code = p_destination_township
             LIMIT 1);
  END
$$;

CREATE OR REPLACE FUNCTION register_inflow(r jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 -- The service's connections plan every statement for its parameters (plan_cache_mode=force_custom_plan, for the
 -- rates' reports). A registration's dozen statements (here, in the helpers and in the rates' triggers) are lookups
 -- by key and inserts, whose plans do not depend on the values: kept after the first calls, not made every time.
 SET plan_cache_mode = auto
AS $$
  DECLARE
    at timestamptz := (r->>'now')::timestamptz;
    actor uuid := (r->>'userId')::uuid;
    p record;
    here uuid;
    waiting uuid;
    v_case uuid;
    v_inflow uuid;
    submit boolean := (r->>'submit')::boolean;
    key_target boolean := (r->>'keyTarget')::boolean;
    dest text := r->>'destinationCode';
    home text := r->>'householdCode';
    dest_township text := township_of(r->>'destinationCode');
    home_township text := township_of(r->>'householdCode');
    exchange_ids uuid[] := '{}';
  BEGIN
    -- The person, locked: two registrations of one person run one after the other from here. A person never seen
    -- before has no other stay to consider.
    SELECT (s.seen).*, s.is_new INTO p FROM person_seen(r->>'idHash', r->>'idCipher', r->>'idMasked', r->>'name', r->>'sex', home) AS s;

    IF p.is_new THEN
      INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code) VALUES (p.id, home_township, dest_township)
      RETURNING id INTO v_case;
    ELSE
      here := registered_here(p.id, dest_township);
      IF here IS NOT NULL THEN
        RAISE EXCEPTION 'ALREADY_REGISTERED' USING ERRCODE = 'LD409', DETAIL = here::text;
      END IF;
      -- The case: the one the same origin opened with an outflow that no inflow has met yet, or a new one. A draft
      -- keeps a case of its own until it is submitted (inflow_moves_on then joins it to that case).
      SELECT c.id INTO waiting FROM migrant_case c
       WHERE submit AND c.person_id = p.id AND c.closed_at IS NULL AND c.origin_township_code = home_township
         AND EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active')
         AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id)
       ORDER BY c.opened_at DESC LIMIT 1;
      IF waiting IS NOT NULL THEN
        UPDATE migrant_case SET destination_township_code = dest_township WHERE id = waiting;
        v_case := waiting;
      ELSE
        INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code) VALUES (p.id, home_township, dest_township)
        RETURNING id INTO v_case;
      END IF;
    END IF;

    INSERT INTO inflow (case_id, person_id, name, household_code, destination_code, origin_township_code, destination_township_code, address, phone,
                        arrival_date, reason, marital_status, spouse_name, spouse_id_cipher, spouse_id_masked, children, contraception, pregnant,
                        certificate_number, undertaking, certificate_check, key_target, legacy, import_id, status, registered_at, submitted_at,
                        submission_due_at, created_by, updated_at)
    VALUES (v_case, p.id, NULLIF(r->>'name', p.name), home, dest, home_township, dest_township, r->>'address', r->>'phone',
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
      -- Only a submitted registration moves the person on; a draft closes no other stay (quality.md).
      IF NOT p.is_new THEN
        exchange_ids := inflow_moves_on(v_inflow, r);
      END IF;
      exchange_ids := exchange_ids || inflow_submission_notices(v_inflow, actor, at, r->>'replyLimit', r->>'replyLimitUrgent');
    END IF;

    RETURN jsonb_build_object(
      'inflowId', v_inflow, 'caseId', v_case, 'exchangeIds', to_jsonb(exchange_ids),
      'person', jsonb_build_object('id', p.id, 'idHash', p.id_hash, 'idCipher', p.id_cipher, 'idMasked', p.id_masked, 'name', p.name, 'sex', p.sex,
                                   'householdCode', p.household_code, 'createdAt', p.created_at, 'updatedAt', p.updated_at));
  END
$$;

CREATE OR REPLACE FUNCTION register_inflows(rows jsonb)
 RETURNS SETOF jsonb
 LANGUAGE plpgsql
AS $$
  DECLARE
    r jsonb;
    n bigint;
    here uuid;
    fresh jsonb;
    sent jsonb;
    made jsonb;
  BEGIN
    WITH src AS (
      SELECT e.r, e.n, count(*) OVER (PARTITION BY e.r->>'idHash') AS times FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(r, n)
    ), single AS (
      SELECT s.r, s.n FROM src s WHERE s.times = 1
    ), p AS (
      INSERT INTO person (id_hash, id_cipher, id_masked, name, sex, household_code)
      SELECT s.r->>'idHash', s.r->>'idCipher', s.r->>'idMasked', s.r->>'name', s.r->>'sex', s.r->>'householdCode'
        FROM single s ORDER BY s.n
      ON CONFLICT (id_hash) DO NOTHING
      RETURNING person.id, person.id_hash::text AS id_hash
    ), fresh_rows AS (
      SELECT s.r, s.n, p.id AS person_id FROM single s JOIN p ON p.id_hash = s.r->>'idHash'
    ), c AS (
      INSERT INTO migrant_case (person_id, origin_township_code, destination_township_code)
      SELECT f.person_id, township_of(f.r->>'householdCode'), township_of(f.r->>'destinationCode') FROM fresh_rows f ORDER BY f.n
      RETURNING migrant_case.id, migrant_case.person_id
    ), i AS (
      INSERT INTO inflow (case_id, person_id, household_code, destination_code, origin_township_code, destination_township_code, address, phone,
                          arrival_date, reason, marital_status, spouse_name, spouse_id_cipher, spouse_id_masked, children, contraception, pregnant,
                          certificate_number, undertaking, certificate_check, key_target, legacy, import_id, status, registered_at, submitted_at,
                          submission_due_at, created_by, updated_at)
      SELECT c.id, f.person_id, f.r->>'householdCode', f.r->>'destinationCode', township_of(f.r->>'householdCode'),
             township_of(f.r->>'destinationCode'), f.r->>'address', f.r->>'phone',
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
    )
    SELECT jsonb_object_agg(f.n::text, jsonb_build_object('inflowId', i.id, 'caseId', i.case_id, 'submitted', i.submitted_at IS NOT NULL))
      INTO fresh
      FROM fresh_rows f JOIN i ON i.person_id = f.person_id;
    -- What submitting owes the origin, by the same function as one registration (sent at each row's submission).
    SELECT jsonb_object_agg(s.inflow_id::text, to_jsonb(s.exchange_ids))
      INTO sent
      FROM submission_notices(ARRAY(SELECT (v->>'inflowId')::uuid FROM jsonb_each(fresh) AS e(k, v) WHERE (v->>'submitted')::boolean ORDER BY k::int),
                              NULL, NULL, rows->0->>'replyLimit', rows->0->>'replyLimitUrgent') AS s;

    FOR r, n IN SELECT e.r, e.n FROM jsonb_array_elements(rows) WITH ORDINALITY AS e(r, n) ORDER BY e.n LOOP
      IF fresh IS NOT NULL AND fresh ? n::text THEN
        made := fresh->(n::text);
        RETURN NEXT jsonb_build_object('ok', jsonb_build_object('inflowId', made->'inflowId', 'caseId', made->'caseId',
                                                                'exchangeIds', coalesce(sent->(made->>'inflowId'), '[]'::jsonb)));
        CONTINUE;
      END IF;
      -- The per-row path: the refusal is found before register_inflow writes anything, so no savepoint is needed.
      here := registered_here((SELECT p.id FROM person p WHERE p.id_hash = (r->>'idHash')::char(64)), township_of(r->>'destinationCode'));
      IF here IS NOT NULL THEN
        RETURN NEXT jsonb_build_object('refused', 'ALREADY_REGISTERED', 'detail', here);
      ELSE
        RETURN NEXT jsonb_build_object('ok', register_inflow(r));
      END IF;
    END LOOP;
  END
$$;

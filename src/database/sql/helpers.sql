-- Helpers every other SQL source uses. Applied first (src/database/sql-sources.ts).
--
-- This file and the other SQL sources are the current definitions of every function, view and trigger: edit them
-- here, `npm run setup` applies what changed (docs/decisions.md, "SQL in one home"). Migrations hold tables, indexes
-- and data changes only.

-- The Beijing calendar day of an instant: the day every rate counts by (rates.md).
CREATE OR REPLACE FUNCTION shanghai_day(ts timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date;

-- The township (乡镇/街道) a 12-digit division code lies in: its first 9 digits, padded. Exchanges travel between
-- townships; a village or community is answered for by its township. TypeScript: townshipOf (src/common/division-code.ts);
-- test/sql-sources.e2e-spec.ts holds the two to the same answers.
CREATE OR REPLACE FUNCTION township_of(code text) RETURNS varchar
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN left(code, 9) || '000';

-- The levels a code is rolled up to: its township and every ancestor up to 全国 (division codes are prefixes padded
-- with zeros). Villages are not rolled up: a township's items are few enough to count from the raw rows.
CREATE OR REPLACE FUNCTION rollup_codes(code varchar) RETURNS SETOF varchar
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT DISTINCT c FROM unnest(ARRAY[rpad(left(code, 9), 12, '0'), rpad(left(code, 6), 12, '0'),
                                      rpad(left(code, 4), 12, '0'), rpad(left(code, 2), 12, '0'), '000000000000']) AS c
$$;

-- When an item started at p_start with the time limit p_limit falls due (reminders.md): an ISO-8601 duration ('P30D',
-- 'PT2S') is added; working days ('15WD') end at 24:00 Beijing time of the n-th working day after the start's day, by
-- working_day (the national calendar and HOLIDAYS_FILE, kept by src/common/working-calendar.sync.ts). TypeScript:
-- limitEnd (src/common/time-limit.ts), held to the same answers by test/working-days.e2e-spec.ts.
CREATE OR REPLACE FUNCTION time_limit_end(p_start timestamptz, p_limit text) RETURNS timestamptz
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_limit IS NULL OR p_start IS NULL THEN NULL
    WHEN p_limit ~ '^[0-9]+WD$' THEN (
      SELECT (w.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
        FROM working_day w
       WHERE w.working
         AND w.seq = (SELECT s.seq FROM working_day s WHERE s.day = shanghai_day(p_start)) + left(p_limit, -2)::int)
    ELSE p_start + p_limit::interval END
$$;

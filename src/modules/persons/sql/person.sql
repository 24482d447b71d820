-- The person record (one per ID number, found by its keyed hash). Created on first sight by whoever sees the person
-- first: a registration (register_inflow), the township holding the household (PersonsService.claimAsHolder: a
-- certificate, an outflow). An import batch inserts the people it sees for the first time set-based
-- (register_inflows), and hands anyone already known to register_inflow.

-- The person with this ID number, created if never seen, and locked for the rest of the transaction either way:
-- ON CONFLICT DO UPDATE (changing nothing) locks an existing row; a new row is invisible to others until commit, and a
-- concurrent insert of the same number waits on the unique index. Nothing on record changes here: the name and
-- household are the holder's to change (quality.md). is_new (xmax = 0): the row was inserted, not updated.
CREATE OR REPLACE FUNCTION person_seen(p_id_hash text, p_id_cipher text, p_id_masked text, p_name text, p_sex text, p_household text)
 RETURNS TABLE (seen person, is_new boolean)
 LANGUAGE plpgsql
AS $$
  BEGIN
    RETURN QUERY
    INSERT INTO person AS p (id_hash, id_cipher, id_masked, name, sex, household_code)
    VALUES (p_id_hash, p_id_cipher, p_id_masked, p_name, p_sex, p_household)
    ON CONFLICT (id_hash) DO UPDATE SET updated_at = p.updated_at
    RETURNING p, p.xmax = 0;
  END
$$;

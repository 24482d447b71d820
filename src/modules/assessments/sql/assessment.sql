-- A frozen assessment month never changes (assessment.md): its figures, seal and freezing time are refused any update,
-- the row any delete; only the confirmation is written later, once.

CREATE OR REPLACE FUNCTION assessment_frozen()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'a frozen assessment month is never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.jurisdiction_code, NEW.month, NEW.frozen_at, NEW.frozen_late, NEW.body, NEW.hash, NEW.signature)
       IS DISTINCT FROM (OLD.jurisdiction_code, OLD.month, OLD.frozen_at, OLD.frozen_late, OLD.body, OLD.hash, OLD.signature)
       OR OLD.confirmed_at IS NOT NULL THEN
      RAISE EXCEPTION 'a frozen assessment month never changes' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END
$$;

CREATE OR REPLACE TRIGGER assessment_frozen BEFORE UPDATE OR DELETE ON assessment
  FOR EACH ROW
  EXECUTE FUNCTION assessment_frozen();

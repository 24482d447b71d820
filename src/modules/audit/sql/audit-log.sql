-- The audit log is append-only, even for the tables' owner: no UPDATE, DELETE or TRUNCATE (quality.md).

CREATE OR REPLACE FUNCTION audit_log_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
  BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
  END
$$;

CREATE OR REPLACE TRIGGER audit_log_no_update_delete BEFORE DELETE OR UPDATE ON audit_log
  FOR EACH ROW
  EXECUTE FUNCTION audit_log_refuse_change();

CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT
  EXECUTE FUNCTION audit_log_refuse_change();

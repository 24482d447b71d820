-- A case is one stay of one person (domain.md, Cases and linkage). The rule for when it ends lives here once: the
-- service (CaseLinker.closeIfEnded) and the registration functions (inflow_moves_on) both call it.

-- A stay ends when no registration of it is open (draft or active) and no outflow on it is still active.
CREATE OR REPLACE FUNCTION close_case_if_ended(p_case uuid, p_at timestamptz) RETURNS void
  LANGUAGE plpgsql
AS $$
  BEGIN
    UPDATE migrant_case c SET closed_at = p_at
     WHERE c.id = p_case AND c.closed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM inflow i WHERE i.case_id = c.id AND i.status IN ('draft', 'active'))
       AND NOT EXISTS (SELECT 1 FROM outflow o WHERE o.case_id = c.id AND o.status = 'active');
  END
$$;

-- The TRUNCATE trigger of 0005 empties the 6-hour rollups too.
CREATE OR REPLACE FUNCTION alert_rollups_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE alert_rollup_hours, alert_rollup_six_hours, alert_rollup_days, alert_rollup_weeks, alert_rollup_durations,
           alert_rollup_state;
  RETURN NULL;
END
$$;

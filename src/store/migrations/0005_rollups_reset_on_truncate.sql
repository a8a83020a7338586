-- Rollups summarise alert_events; a TRUNCATE of the events (tests, an operator starting over)
-- empties them too and resets the job's watermark, so no read combines rollups of rows that
-- are gone. Statement-level: ingest never fires it.
CREATE FUNCTION alert_rollups_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE alert_rollup_hours, alert_rollup_days, alert_rollup_durations, alert_rollup_state;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER alert_events_truncate_resets_rollups AFTER TRUNCATE ON alert_events
  FOR EACH STATEMENT EXECUTE FUNCTION alert_rollups_reset();

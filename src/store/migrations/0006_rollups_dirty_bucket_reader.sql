-- The events received in [lo, hi): what a rollup read scans raw for a bucket a late arrival made
-- dirty (src/store/rollup-parts.ts). A function, so the planner estimates such a bucket by ROWS
-- instead of a third of the table per unknown bound, which would push every analytics read over
-- jit_above_cost (JIT took ~70 ms of a 200 ms read). STABLE: it reads the calling query's snapshot.
CREATE FUNCTION alert_events_received_in(lo timestamptz, hi timestamptz) RETURNS SETOF alert_events
  LANGUAGE plpgsql STABLE ROWS 1000 AS $$
BEGIN
  RETURN QUERY SELECT * FROM alert_events WHERE received_at >= lo AND received_at < hi;
END
$$;

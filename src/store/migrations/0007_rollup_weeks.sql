CREATE TABLE "alert_rollup_weeks" (
	"week" timestamp (6) with time zone NOT NULL,
	"fingerprint" text NOT NULL,
	"alertname" text NOT NULL,
	"namespace" text,
	"severity" text,
	"events" bigint NOT NULL,
	"firing" bigint NOT NULL,
	"resolved" bigint NOT NULL,
	"flaps" bigint NOT NULL,
	"last_fired_at" timestamp (6) with time zone,
	"first_received_at" timestamp (6) with time zone NOT NULL,
	"last_flap_at" timestamp (6) with time zone,
	"resolved_seconds" numeric,
	"resolved_timed" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_rollup_weeks_week_idx" ON "alert_rollup_weeks" USING btree ("week");
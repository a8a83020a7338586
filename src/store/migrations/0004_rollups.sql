CREATE TABLE "alert_rollup_days" (
	"day" timestamp (6) with time zone NOT NULL,
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
CREATE TABLE "alert_rollup_durations" (
	"day" timestamp (6) with time zone NOT NULL,
	"seconds" numeric NOT NULL,
	"events" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_hours" (
	"hour" timestamp (6) with time zone NOT NULL,
	"alertname" text NOT NULL,
	"namespace" text,
	"severity" text,
	"status" text NOT NULL,
	"events" bigint NOT NULL,
	"last_received_at" timestamp (6) with time zone NOT NULL,
	"last_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rollup_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"watermark" timestamp (6) with time zone NOT NULL,
	"retained_from" timestamp (6) with time zone NOT NULL,
	"updated_at" timestamp (6) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_rollup_days_day_idx" ON "alert_rollup_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "alert_rollup_durations_day_idx" ON "alert_rollup_durations" USING btree ("day");--> statement-breakpoint
CREATE INDEX "alert_rollup_hours_hour_idx" ON "alert_rollup_hours" USING btree ("hour");
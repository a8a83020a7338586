CREATE TABLE "alert_rollup_six_hours" (
	"block" timestamp (6) with time zone NOT NULL,
	"alertname" text NOT NULL,
	"namespace" text,
	"severity" text,
	"status" text NOT NULL,
	"events" bigint NOT NULL,
	"last_received_at" timestamp (6) with time zone NOT NULL,
	"last_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "alert_rollup_six_hours_block_idx" ON "alert_rollup_six_hours" USING btree ("block");
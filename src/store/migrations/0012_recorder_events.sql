CREATE TABLE "recorder_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "recorder_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"dedup_key" text NOT NULL,
	"fingerprint" text,
	"kind" text NOT NULL,
	"recorded_at" timestamp(6) with time zone NOT NULL,
	"received_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"instance" text DEFAULT '' NOT NULL,
	"receiver" text,
	"integration" text,
	"reason" text,
	"group_key" text,
	"silence_id" text,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "recorder_events_dedup_key" ON "recorder_events" USING btree ("recorded_at","dedup_key");--> statement-breakpoint
CREATE INDEX "recorder_events_fingerprint_idx" ON "recorder_events" USING btree ("fingerprint","recorded_at","id");--> statement-breakpoint
CREATE INDEX "recorder_events_received_idx" ON "recorder_events" USING btree ("received_at");
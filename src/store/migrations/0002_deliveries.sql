CREATE TABLE "deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_id" bigint NOT NULL,
	"target" text NOT NULL,
	"fingerprint" text NOT NULL,
	"state" text DEFAULT 'routing' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp (6) with time zone,
	"claimed_by" text,
	"last_status_code" integer,
	"last_error" text,
	"last_error_reason" text,
	"filter_reason" text,
	"classification" jsonb,
	"external_ref" text,
	"created_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp (6) with time zone,
	CONSTRAINT "deliveries_state_check" CHECK ("deliveries"."state" in ('routing', 'pending', 'sending', 'failed', 'succeeded', 'dead', 'filtered'))
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_event_id_alert_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."alert_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_event_target_key" ON "deliveries" USING btree ("event_id","target");--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "deliveries" USING btree ("next_attempt_at") WHERE "deliveries"."state" in ('routing', 'pending', 'failed', 'sending');--> statement-breakpoint
CREATE INDEX "deliveries_target_fingerprint_idx" ON "deliveries" USING btree ("target","fingerprint","id");--> statement-breakpoint
CREATE INDEX "deliveries_state_idx" ON "deliveries" USING btree ("state","target");--> statement-breakpoint
CREATE INDEX "deliveries_created_idx" ON "deliveries" USING btree ("created_at");
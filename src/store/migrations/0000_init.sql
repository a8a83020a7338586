CREATE TABLE "alert_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"starts_at" timestamp (6) with time zone NOT NULL,
	"ends_at" timestamp (6) with time zone,
	"alertname" text DEFAULT '' NOT NULL,
	"namespace" text,
	"severity" text,
	"labels" jsonb NOT NULL,
	"annotations" jsonb NOT NULL,
	"generator_url" text DEFAULT '' NOT NULL,
	"receiver" text,
	"group_key" text,
	"source" text DEFAULT 'webhook' NOT NULL,
	"received_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"flapped" boolean DEFAULT false NOT NULL,
	CONSTRAINT "alert_events_status_check" CHECK ("alert_events"."status" in ('firing', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"fingerprint" text PRIMARY KEY NOT NULL,
	"alertname" text DEFAULT '' NOT NULL,
	"namespace" text,
	"severity" text,
	"status" text NOT NULL,
	"labels" jsonb NOT NULL,
	"annotations" jsonb NOT NULL,
	"starts_at" timestamp (6) with time zone NOT NULL,
	"ends_at" timestamp (6) with time zone,
	"generator_url" text DEFAULT '' NOT NULL,
	"first_seen" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"last_change" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"last_event_id" bigint,
	"event_count" integer DEFAULT 0 NOT NULL,
	"flap_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "alerts_status_check" CHECK ("alerts"."status" in ('firing', 'resolved'))
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp (6) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alert_events_state_change_key" ON "alert_events" USING btree ("fingerprint","starts_at","status");--> statement-breakpoint
CREATE INDEX "alert_events_received_idx" ON "alert_events" USING btree ("received_at","id");--> statement-breakpoint
CREATE INDEX "alert_events_alertname_received_idx" ON "alert_events" USING btree ("alertname","received_at","id");--> statement-breakpoint
CREATE INDEX "alert_events_namespace_received_idx" ON "alert_events" USING btree ("namespace","received_at","id");--> statement-breakpoint
CREATE INDEX "alert_events_labels_gin" ON "alert_events" USING gin ("labels" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "alerts_status_idx" ON "alerts" USING btree ("status","last_change");--> statement-breakpoint
CREATE INDEX "alerts_last_change_idx" ON "alerts" USING btree ("last_change");
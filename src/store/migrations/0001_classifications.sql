CREATE TABLE "classifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "classifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"fingerprint" text NOT NULL,
	"severity" text NOT NULL,
	"confidence" double precision NOT NULL,
	"category" text NOT NULL,
	"reasoning" text NOT NULL,
	"recommendations" jsonb NOT NULL,
	"source" text NOT NULL,
	"model" text NOT NULL,
	"prompt_version" text NOT NULL,
	"latency_ms" integer NOT NULL,
	"created_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "classifications_severity_check" CHECK ("classifications"."severity" in ('critical', 'warning', 'info', 'noise')),
	CONSTRAINT "classifications_confidence_check" CHECK ("classifications"."confidence" between 0 and 1)
);
--> statement-breakpoint
CREATE INDEX "classifications_fingerprint_idx" ON "classifications" USING btree ("fingerprint","created_at");--> statement-breakpoint
CREATE INDEX "classifications_created_idx" ON "classifications" USING btree ("created_at");
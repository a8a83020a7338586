CREATE TABLE "silence_actions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "silence_actions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"action" text NOT NULL,
	"silence_id" text NOT NULL,
	"fingerprint" text,
	"matchers" jsonb NOT NULL,
	"starts_at" timestamp(6) with time zone,
	"ends_at" timestamp(6) with time zone,
	"author" text NOT NULL,
	"comment" text NOT NULL,
	"created_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "silence_actions_action_check" CHECK ("silence_actions"."action" in ('create', 'expire'))
);
--> statement-breakpoint
CREATE INDEX "silence_actions_fingerprint_idx" ON "silence_actions" USING btree ("fingerprint","created_at");--> statement-breakpoint
CREATE INDEX "silence_actions_silence_idx" ON "silence_actions" USING btree ("silence_id");
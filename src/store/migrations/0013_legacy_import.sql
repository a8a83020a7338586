CREATE TABLE "legacy_fingerprints" (
	"legacy_fingerprint" text NOT NULL,
	"fingerprint" text NOT NULL,
	"shape" text NOT NULL,
	"imported_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "legacy_fingerprints_legacy_fingerprint_fingerprint_pk" PRIMARY KEY("legacy_fingerprint","fingerprint")
);
--> statement-breakpoint
CREATE TABLE "legacy_imports" (
	"source" text NOT NULL,
	"shape" text NOT NULL,
	"phase" text NOT NULL,
	"cursor" text,
	"counts" jsonb NOT NULL,
	"started_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp(6) with time zone,
	CONSTRAINT "legacy_imports_source_shape_pk" PRIMARY KEY("source","shape")
);
--> statement-breakpoint
CREATE INDEX "legacy_fingerprints_fingerprint_idx" ON "legacy_fingerprints" USING btree ("fingerprint");
CREATE TABLE "policy_matches" (
	"policy" text PRIMARY KEY NOT NULL,
	"matched" bigint DEFAULT 0 NOT NULL,
	"last_match_at" timestamp (6) with time zone DEFAULT now() NOT NULL
);

ALTER TABLE "etl_jobs" ADD COLUMN IF NOT EXISTS "error_code" text;
--> statement-breakpoint
ALTER TABLE "dead_letters" ADD COLUMN IF NOT EXISTS "replay_claimed_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "etl_jobs" ADD COLUMN IF NOT EXISTS "checkpoints" jsonb DEFAULT '{}'::jsonb NOT NULL;

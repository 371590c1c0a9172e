ALTER TABLE "etl_jobs" ADD COLUMN IF NOT EXISTS "error_code" text;

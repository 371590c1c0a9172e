ALTER TABLE "raw_outbox" ADD COLUMN IF NOT EXISTS "claimed_until" timestamp with time zone;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "raw_outbox_unpublished_idx" ON "raw_outbox" USING btree ("raw_id") WHERE published_at is null;--> statement-breakpoint
-- The old sweeper stamped published_at before publishing, so a stamp did not mean "confirmed":
-- rows still waiting are published once more by the relay (loading is idempotent).
UPDATE "raw_outbox" SET "published_at" = NULL WHERE "published_at" IS NOT NULL;

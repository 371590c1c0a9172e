ALTER TABLE "etl_jobs" ADD COLUMN IF NOT EXISTS "error_code" text;
--> statement-breakpoint
ALTER TABLE "dead_letters" ADD COLUMN IF NOT EXISTS "replay_claimed_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "etl_jobs" ADD COLUMN IF NOT EXISTS "checkpoints" jsonb DEFAULT '{}'::jsonb NOT NULL;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "notification_targets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL REFERENCES "tenants"("id"),
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"events" text[] NOT NULL,
	"dead_letter_threshold" integer DEFAULT 1 NOT NULL,
	"breaker_open_minutes" integer DEFAULT 5 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_targets_kind_check" CHECK ("kind" in ('slack', 'webhook'))
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "notification_targets_tenant_idx" ON "notification_targets" ("tenant_id");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"target_id" bigint NOT NULL REFERENCES "notification_targets"("id") ON DELETE CASCADE,
	"tenant_id" bigint NOT NULL,
	"event" text NOT NULL,
	"event_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"response_status" integer,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_deliveries_status_check" CHECK ("status" in ('pending', 'delivered', 'failed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "notification_deliveries_event_key" ON "notification_deliveries" ("target_id", "event_key");

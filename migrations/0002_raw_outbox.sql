CREATE TABLE "raw_outbox" (
	"raw_id" bigint PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"entity_type" text NOT NULL,
	"job_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "raw_extraction_data_pending_idx";--> statement-breakpoint
DROP INDEX "raw_extraction_data_job_idx";--> statement-breakpoint
ALTER TABLE "raw_outbox" ADD CONSTRAINT "raw_outbox_raw_id_raw_extraction_data_id_fk" FOREIGN KEY ("raw_id") REFERENCES "public"."raw_extraction_data"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "raw_outbox_job_idx" ON "raw_outbox" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "raw_outbox_created_idx" ON "raw_outbox" USING btree ("created_at");--> statement-breakpoint
INSERT INTO "raw_outbox" ("raw_id", "tenant_id", "integration_id", "entity_type", "job_id", "created_at", "published_at")
SELECT "id", "tenant_id", "integration_id", "entity_type", "job_id", "created_at", "published_at" FROM "raw_extraction_data" WHERE "status" = 'pending';--> statement-breakpoint
ALTER TABLE "raw_extraction_data" DROP COLUMN "published_at";--> statement-breakpoint
-- Room on each page for the status update to stay on the page (a HOT update, no index writes).
ALTER TABLE "raw_extraction_data" SET (fillfactor = 80);
-- Transform batches count their records here, in their own transaction, instead of updating the
-- job row that every page transaction of a running job holds locked (see the schema's comment).
CREATE TABLE "etl_job_transform_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"job_id" bigint NOT NULL,
	"transformed" integer NOT NULL,
	"failed" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "etl_job_transform_counts" ADD CONSTRAINT "etl_job_transform_counts_job_id_etl_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."etl_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "etl_job_transform_counts_job_idx" ON "etl_job_transform_counts" USING btree ("job_id");
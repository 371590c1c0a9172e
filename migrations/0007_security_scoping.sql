-- A raw row's job must be a job of the same tenant and integration (issue 10). The composite key
-- on etl_jobs is what the foreign key points at; rows without a job (replays, imports) are not
-- checked (MATCH SIMPLE). NOT VALID: existing rows are left as they are, every new row is checked.
ALTER TABLE "etl_jobs" ADD CONSTRAINT "etl_jobs_id_tenant_integration_key" UNIQUE ("id", "tenant_id", "integration_id");--> statement-breakpoint
ALTER TABLE "raw_extraction_data" ADD CONSTRAINT "raw_extraction_data_job_scope_fk" FOREIGN KEY ("job_id", "tenant_id", "integration_id") REFERENCES "public"."etl_jobs"("id", "tenant_id", "integration_id") ON DELETE no action ON UPDATE no action NOT VALID;

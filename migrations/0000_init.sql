CREATE TABLE "api_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"base_url" text NOT NULL,
	"credentials_encrypted" text NOT NULL,
	"credentials_key_id" text NOT NULL,
	"config" jsonb NOT NULL,
	"schedule" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"last_test_ok" boolean,
	"last_test_at" timestamp with time zone,
	"last_test_error" text,
	"last_scheduled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "integrations_type_check" CHECK ("integrations"."type" in ('jira', 'github'))
);
--> statement-breakpoint
CREATE TABLE "etl_jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"status" text DEFAULT 'PENDING' NOT NULL,
	"mode" text DEFAULT 'incremental' NOT NULL,
	"streams" jsonb NOT NULL,
	"trigger" text DEFAULT 'manual' NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"records_extracted" bigint DEFAULT 0 NOT NULL,
	"records_transformed" bigint DEFAULT 0 NOT NULL,
	"records_failed" bigint DEFAULT 0 NOT NULL,
	"error" text,
	"pause_reason" text,
	"cancel_requested_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_retry_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"extraction_finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "etl_jobs_status_check" CHECK ("etl_jobs"."status" in ('PENDING', 'RUNNING', 'PAUSED', 'FINISHED', 'FAILED', 'CANCELLED')),
	CONSTRAINT "etl_jobs_mode_check" CHECK ("etl_jobs"."mode" in ('incremental', 'full'))
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"stream" text NOT NULL,
	"scope" text DEFAULT '' NOT NULL,
	"cursor" text,
	"etag" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_extraction_data" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"job_id" bigint,
	"entity_type" text NOT NULL,
	"external_id" text NOT NULL,
	"raw_data" jsonb NOT NULL,
	"extraction_metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	CONSTRAINT "raw_extraction_data_status_check" CHECK ("raw_extraction_data"."status" in ('pending', 'completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "dead_letter_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dead_letter_id" bigint NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint,
	"integration_id" bigint,
	"entity_type" text,
	"message_id" text NOT NULL,
	"death_number" integer DEFAULT 1 NOT NULL,
	"correlation_id" text,
	"queue" text NOT NULL,
	"routing_key" text NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"body" text NOT NULL,
	"reason" text NOT NULL,
	"error_stack" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"first_failed_at" timestamp with time zone,
	"dead_lettered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'dead' NOT NULL,
	"replay_count" integer DEFAULT 0 NOT NULL,
	"replayed_at" timestamp with time zone,
	"discarded_at" timestamp with time zone,
	CONSTRAINT "dead_letters_status_check" CHECK ("dead_letters"."status" in ('dead', 'replayed', 'discarded'))
);
--> statement-breakpoint
CREATE TABLE "jira_issue_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"issue_external_id" text NOT NULL,
	"issue_key" text,
	"from_status" text,
	"to_status" text,
	"author_account_id" text,
	"author_name" text,
	"transitioned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jira_issue_types" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"subtask" boolean DEFAULT false NOT NULL,
	"hierarchy_level" integer
);
--> statement-breakpoint
CREATE TABLE "jira_issues" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"key" text NOT NULL,
	"project_key" text,
	"summary" text NOT NULL,
	"status_name" text,
	"status_category" text,
	"issue_type" text,
	"priority" text,
	"assignee_account_id" text,
	"assignee_name" text,
	"reporter_account_id" text,
	"reporter_name" text,
	"labels" text[] DEFAULT '{}' NOT NULL,
	"story_points" numeric,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "jira_projects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"project_type" text,
	"lead_account_id" text,
	"lead_name" text
);
--> statement-breakpoint
CREATE TABLE "jira_statuses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text NOT NULL,
	"category_key" text,
	"category_name" text
);
--> statement-breakpoint
CREATE TABLE "github_commits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer,
	"sha" text NOT NULL,
	"message" text,
	"author_name" text,
	"author_email" text,
	"author_login" text,
	"committed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "github_deployments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"environment" text,
	"ref" text,
	"sha" text,
	"task" text,
	"creator_login" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_pull_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"draft" boolean DEFAULT false NOT NULL,
	"merged" boolean DEFAULT false NOT NULL,
	"merged_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"author_login" text,
	"base_ref" text,
	"head_ref" text,
	"additions" integer,
	"deletions" integer,
	"changed_files" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_repositories" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"full_name" text NOT NULL,
	"name" text NOT NULL,
	"owner" text NOT NULL,
	"default_branch" text,
	"private" boolean DEFAULT false NOT NULL,
	"language" text,
	"created_at" timestamp with time zone,
	"updated_at" timestamp with time zone,
	"pushed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "github_review_comments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer NOT NULL,
	"review_id" text,
	"author_login" text,
	"body" text,
	"path" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer NOT NULL,
	"state" text NOT NULL,
	"author_login" text,
	"submitted_at" timestamp with time zone,
	"commit_id" text
);
--> statement-breakpoint
CREATE TABLE "flow_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"category" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_mappings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"source_status" text NOT NULL,
	"flow_step_id" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etl_jobs" ADD CONSTRAINT "etl_jobs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "etl_jobs" ADD CONSTRAINT "etl_jobs_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_state" ADD CONSTRAINT "sync_state_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_extraction_data" ADD CONSTRAINT "raw_extraction_data_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_extraction_data" ADD CONSTRAINT "raw_extraction_data_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dead_letter_audit" ADD CONSTRAINT "dead_letter_audit_dead_letter_id_dead_letters_id_fk" FOREIGN KEY ("dead_letter_id") REFERENCES "public"."dead_letters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_transitions" ADD CONSTRAINT "jira_issue_transitions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_transitions" ADD CONSTRAINT "jira_issue_transitions_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_types" ADD CONSTRAINT "jira_issue_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_types" ADD CONSTRAINT "jira_issue_types_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issues" ADD CONSTRAINT "jira_issues_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issues" ADD CONSTRAINT "jira_issues_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_projects" ADD CONSTRAINT "jira_projects_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_projects" ADD CONSTRAINT "jira_projects_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_statuses" ADD CONSTRAINT "jira_statuses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_statuses" ADD CONSTRAINT "jira_statuses_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_commits" ADD CONSTRAINT "github_commits_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_commits" ADD CONSTRAINT "github_commits_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_deployments" ADD CONSTRAINT "github_deployments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_deployments" ADD CONSTRAINT "github_deployments_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD CONSTRAINT "github_pull_requests_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD CONSTRAINT "github_pull_requests_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_repositories" ADD CONSTRAINT "github_repositories_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_repositories" ADD CONSTRAINT "github_repositories_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_review_comments" ADD CONSTRAINT "github_review_comments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_review_comments" ADD CONSTRAINT "github_review_comments_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_reviews" ADD CONSTRAINT "github_reviews_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_reviews" ADD CONSTRAINT "github_reviews_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_steps" ADD CONSTRAINT "flow_steps_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_mappings" ADD CONSTRAINT "status_mappings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_mappings" ADD CONSTRAINT "status_mappings_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_mappings" ADD CONSTRAINT "status_mappings_flow_step_id_flow_steps_id_fk" FOREIGN KEY ("flow_step_id") REFERENCES "public"."flow_steps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_tenant_idx" ON "api_tokens" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_idx" ON "integrations" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "etl_jobs_tenant_idx" ON "etl_jobs" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "etl_jobs_status_idx" ON "etl_jobs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "etl_jobs_one_active_per_integration" ON "etl_jobs" USING btree ("integration_id") WHERE status in ('PENDING', 'RUNNING', 'PAUSED');--> statement-breakpoint
CREATE UNIQUE INDEX "sync_state_key" ON "sync_state" USING btree ("integration_id","stream","scope");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_extraction_data_content_key" ON "raw_extraction_data" USING btree ("tenant_id","integration_id","entity_type","external_id","content_hash");--> statement-breakpoint
CREATE INDEX "raw_extraction_data_pending_idx" ON "raw_extraction_data" USING btree ("created_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "raw_extraction_data_job_idx" ON "raw_extraction_data" USING btree ("job_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_message_death_key" ON "dead_letters" USING btree ("message_id","death_number");--> statement-breakpoint
CREATE INDEX "dead_letters_tenant_idx" ON "dead_letters" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_issue_transitions_external_key" ON "jira_issue_transitions" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "jira_issue_transitions_raw_idx" ON "jira_issue_transitions" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_issue_types_external_key" ON "jira_issue_types" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "jira_issue_types_raw_idx" ON "jira_issue_types" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_issues_external_key" ON "jira_issues" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "jira_issues_raw_idx" ON "jira_issues" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_projects_external_key" ON "jira_projects" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "jira_projects_raw_idx" ON "jira_projects" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_statuses_external_key" ON "jira_statuses" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "jira_statuses_raw_idx" ON "jira_statuses" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_commits_external_key" ON "github_commits" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_commits_raw_idx" ON "github_commits" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_deployments_external_key" ON "github_deployments" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_deployments_raw_idx" ON "github_deployments" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_pull_requests_external_key" ON "github_pull_requests" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_pull_requests_raw_idx" ON "github_pull_requests" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_repositories_external_key" ON "github_repositories" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_repositories_raw_idx" ON "github_repositories" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_review_comments_external_key" ON "github_review_comments" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_review_comments_raw_idx" ON "github_review_comments" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_reviews_external_key" ON "github_reviews" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_reviews_raw_idx" ON "github_reviews" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "flow_steps_name_key" ON "flow_steps" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "status_mappings_key" ON "status_mappings" USING btree ("tenant_id","integration_id","source_status");
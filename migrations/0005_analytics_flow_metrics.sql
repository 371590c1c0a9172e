-- Flow steps: a category from a fixed set, a kind for in-progress steps (waiting time is not work),
-- an active flag, and unique positions (deferrable so a reorder can swap two steps in one transaction).
UPDATE "flow_steps" SET "category" = 'in_progress' WHERE "category" NOT IN ('todo', 'in_progress', 'done');--> statement-breakpoint
ALTER TABLE "flow_steps" ADD COLUMN "kind" text;--> statement-breakpoint
UPDATE "flow_steps" SET "kind" = 'active' WHERE "category" = 'in_progress';--> statement-breakpoint
ALTER TABLE "flow_steps" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "flow_steps" ADD CONSTRAINT "flow_steps_category_check" CHECK ("category" IN ('todo', 'in_progress', 'done'));--> statement-breakpoint
ALTER TABLE "flow_steps" ADD CONSTRAINT "flow_steps_kind_check" CHECK (("category" = 'in_progress' AND "kind" IN ('active', 'waiting')) OR ("category" <> 'in_progress' AND "kind" IS NULL));--> statement-breakpoint
ALTER TABLE "flow_steps" ADD CONSTRAINT "flow_steps_position_key" UNIQUE ("tenant_id", "position") DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
-- Status mappings: matched ignoring case, optionally per issue type, with an active flag.
ALTER TABLE "status_mappings" ADD COLUMN "issue_type" text;--> statement-breakpoint
ALTER TABLE "status_mappings" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "status_mappings" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "status_mappings_key";--> statement-breakpoint
CREATE UNIQUE INDEX "status_mappings_key" ON "status_mappings" USING btree ("tenant_id", "integration_id", lower("source_status"), coalesce(lower("issue_type"), ''));--> statement-breakpoint
CREATE INDEX "status_mappings_step_idx" ON "status_mappings" USING btree ("flow_step_id");--> statement-breakpoint
-- Deactivated issues live beside jira_issues, not in it: the loader upserts jira_issues and must
-- never bring back an issue a person switched off.
CREATE TABLE "issue_deactivations" (
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"issue_external_id" text NOT NULL,
	"reason" text NOT NULL,
	"job_id" bigint,
	"deactivated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "issue_deactivations_pkey" PRIMARY KEY ("tenant_id", "integration_id", "issue_external_id"),
	CONSTRAINT "issue_deactivations_reason_check" CHECK ("reason" IN ('user', 'missing_from_full_run'))
);--> statement-breakpoint
ALTER TABLE "issue_deactivations" ADD CONSTRAINT "issue_deactivations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_deactivations" ADD CONSTRAINT "issue_deactivations_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- What a full run saw: the extractor reports the issue ids of each page; at the end of a full run
-- every issue of the integration not seen by it is deactivated (reason missing_from_full_run).
CREATE TABLE "job_seen_issues" (
	"job_id" bigint NOT NULL,
	"issue_external_id" text NOT NULL,
	CONSTRAINT "job_seen_issues_pkey" PRIMARY KEY ("job_id", "issue_external_id")
);--> statement-breakpoint
-- Per-tenant metric definitions: which environments are production, what counts as an incident.
CREATE TABLE "tenant_metric_settings" (
	"tenant_id" bigint PRIMARY KEY NOT NULL,
	"production_environments" text[] DEFAULT '{production,prod}' NOT NULL,
	"incident_issue_types" text[] DEFAULT '{Incident}' NOT NULL,
	"incident_labels" text[] DEFAULT '{}' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
ALTER TABLE "tenant_metric_settings" ADD CONSTRAINT "tenant_metric_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Indexes the metric queries walk.
CREATE INDEX "github_deployments_metrics_idx" ON "github_deployments" USING btree ("tenant_id", "integration_id", "repository");--> statement-breakpoint
CREATE INDEX "github_deployment_statuses_deployment_idx" ON "github_deployment_statuses" USING btree ("tenant_id", "integration_id", "deployment_external_id");--> statement-breakpoint
CREATE INDEX "github_pull_requests_merged_idx" ON "github_pull_requests" USING btree ("tenant_id", "merged_at");--> statement-breakpoint
CREATE INDEX "github_pull_request_commits_pull_idx" ON "github_pull_request_commits" USING btree ("tenant_id", "integration_id", "repository", "pull_number");--> statement-breakpoint
CREATE INDEX "github_commits_sha_idx" ON "github_commits" USING btree ("tenant_id", "integration_id", "sha");--> statement-breakpoint
CREATE INDEX "github_reviews_pull_idx" ON "github_reviews" USING btree ("tenant_id", "integration_id", "repository", "pull_number");--> statement-breakpoint
CREATE INDEX "github_review_comments_pull_idx" ON "github_review_comments" USING btree ("tenant_id", "integration_id", "repository", "pull_number");--> statement-breakpoint
CREATE INDEX "jira_issue_transitions_issue_idx" ON "jira_issue_transitions" USING btree ("tenant_id", "integration_id", "issue_external_id", "transitioned_at");--> statement-breakpoint
CREATE INDEX "jira_issues_created_idx" ON "jira_issues" USING btree ("tenant_id", "created_at");

CREATE TABLE "github_deployment_statuses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"deployment_external_id" text NOT NULL,
	"state" text NOT NULL,
	"environment" text,
	"description" text,
	"creator_login" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "github_pull_request_commits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer NOT NULL,
	"sha" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_releases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"raw_id" bigint NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repository" text NOT NULL,
	"tag_name" text NOT NULL,
	"name" text,
	"target_commitish" text,
	"draft" boolean DEFAULT false NOT NULL,
	"prerelease" boolean DEFAULT false NOT NULL,
	"author_login" text,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "jira_issues" ADD COLUMN "parent_key" text;--> statement-breakpoint
ALTER TABLE "jira_issues" ADD COLUMN "components" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "jira_issues" ADD COLUMN "fix_versions" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "jira_issues" ADD COLUMN "sprints" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "github_commits" ADD COLUMN "authored_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "github_commits" ADD COLUMN "committer_name" text;--> statement-breakpoint
ALTER TABLE "github_commits" ADD COLUMN "committer_email" text;--> statement-breakpoint
ALTER TABLE "github_commits" ADD COLUMN "committer_login" text;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD COLUMN "merge_commit_sha" text;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD COLUMN "merged_by_login" text;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD COLUMN "requested_reviewers" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "github_pull_requests" ADD COLUMN "labels" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "github_deployment_statuses" ADD CONSTRAINT "github_deployment_statuses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_deployment_statuses" ADD CONSTRAINT "github_deployment_statuses_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_pull_request_commits" ADD CONSTRAINT "github_pull_request_commits_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_pull_request_commits" ADD CONSTRAINT "github_pull_request_commits_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_releases" ADD CONSTRAINT "github_releases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_releases" ADD CONSTRAINT "github_releases_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "github_deployment_statuses_external_key" ON "github_deployment_statuses" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_deployment_statuses_raw_idx" ON "github_deployment_statuses" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_pull_request_commits_external_key" ON "github_pull_request_commits" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_pull_request_commits_raw_idx" ON "github_pull_request_commits" USING btree ("raw_id");--> statement-breakpoint
CREATE UNIQUE INDEX "github_releases_external_key" ON "github_releases" USING btree ("tenant_id","integration_id","external_id");--> statement-breakpoint
CREATE INDEX "github_releases_raw_idx" ON "github_releases" USING btree ("raw_id");
CREATE TABLE "flow_issue_intervals" (
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"issue_external_id" text NOT NULL,
	"seq" integer NOT NULL,
	"status" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"clip_end" timestamp with time zone,
	"step_id" bigint,
	"step" text,
	"category" text,
	"kind" text,
	CONSTRAINT "flow_issue_intervals_pkey" PRIMARY KEY("tenant_id","integration_id","issue_external_id","seq")
);
--> statement-breakpoint
CREATE TABLE "flow_issue_summaries" (
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"issue_external_id" text NOT NULL,
	"key" text NOT NULL,
	"issue_type" text,
	"project_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"current_category" text,
	"in_progress_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	"cycle_hours" double precision,
	"lead_hours" double precision,
	"active_hours" double precision,
	"wip_start_days" integer[] NOT NULL,
	"wip_end_days" integer[] NOT NULL,
	"step_ids" bigint[] NOT NULL,
	"step_hours" double precision[] NOT NULL,
	CONSTRAINT "flow_issue_summaries_pkey" PRIMARY KEY("tenant_id","integration_id","issue_external_id")
);
--> statement-breakpoint
CREATE TABLE "flow_summary_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" bigint NOT NULL,
	"integration_id" bigint NOT NULL,
	"issue_external_ids" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flow_summary_state" (
	"tenant_id" bigint PRIMARY KEY NOT NULL,
	"config_version" bigint DEFAULT 1 NOT NULL,
	"built_version" bigint,
	"built_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "flow_issue_summaries_done_idx" ON "flow_issue_summaries" USING btree ("tenant_id","done_at");--> statement-breakpoint
CREATE INDEX "flow_issue_summaries_updated_idx" ON "flow_issue_summaries" USING btree ("tenant_id","updated_at");--> statement-breakpoint
CREATE INDEX "flow_summary_changes_tenant_idx" ON "flow_summary_changes" USING btree ("tenant_id");--> statement-breakpoint
-- Change marks for the flow summaries (issue 12). Statement-level triggers with transition tables:
-- one row per loading statement (and integration) listing the issues it wrote, whatever path wrote them. The
-- backend folds them in before a flow metric is read (services/backend/src/metrics/flow-summary.ts).
CREATE FUNCTION "flow_summary_mark_issues"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "flow_summary_changes" ("tenant_id", "integration_id", "issue_external_ids")
  SELECT "tenant_id", "integration_id", array_agg("external_id") FROM "changed_rows" GROUP BY "tenant_id", "integration_id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "flow_summary_mark_transitions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "flow_summary_changes" ("tenant_id", "integration_id", "issue_external_ids")
  SELECT "tenant_id", "integration_id", array_agg("issue_external_id") FROM "changed_rows" GROUP BY "tenant_id", "integration_id";
  RETURN NULL;
END $$;--> statement-breakpoint
-- A change of the flow configuration bumps the tenant's version: every summary depends on it.
CREATE FUNCTION "flow_summary_config_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "flow_summary_state" ("tenant_id", "config_version")
  SELECT DISTINCT "tenant_id", 1 FROM "changed_rows"
  ON CONFLICT ("tenant_id") DO UPDATE SET "config_version" = "flow_summary_state"."config_version" + 1;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "jira_issues_flow_insert" AFTER INSERT ON "jira_issues" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_issues"();--> statement-breakpoint
CREATE TRIGGER "jira_issues_flow_update" AFTER UPDATE ON "jira_issues" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_issues"();--> statement-breakpoint
CREATE TRIGGER "jira_issues_flow_delete" AFTER DELETE ON "jira_issues" REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_issues"();--> statement-breakpoint
CREATE TRIGGER "jira_issue_transitions_flow_insert" AFTER INSERT ON "jira_issue_transitions" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_transitions"();--> statement-breakpoint
CREATE TRIGGER "jira_issue_transitions_flow_update" AFTER UPDATE ON "jira_issue_transitions" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_transitions"();--> statement-breakpoint
CREATE TRIGGER "jira_issue_transitions_flow_delete" AFTER DELETE ON "jira_issue_transitions" REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_mark_transitions"();--> statement-breakpoint
CREATE TRIGGER "flow_steps_flow_insert" AFTER INSERT ON "flow_steps" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
CREATE TRIGGER "flow_steps_flow_update" AFTER UPDATE ON "flow_steps" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
CREATE TRIGGER "flow_steps_flow_delete" AFTER DELETE ON "flow_steps" REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
CREATE TRIGGER "status_mappings_flow_insert" AFTER INSERT ON "status_mappings" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
CREATE TRIGGER "status_mappings_flow_update" AFTER UPDATE ON "status_mappings" REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
CREATE TRIGGER "status_mappings_flow_delete" AFTER DELETE ON "status_mappings" REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "flow_summary_config_changed"();--> statement-breakpoint
-- Backfill: a tenant with no built summaries is rebuilt in full by its first flow request (the
-- summaries need the step resolution in TypeScript-owned SQL); mark every existing tenant so.
INSERT INTO "flow_summary_state" ("tenant_id", "config_version") SELECT "id", 1 FROM "tenants" ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Incidents by type (DORA): an expression index drizzle's schema helper cannot name, so it lives
-- here only (drizzle-kit diffs its own snapshots, so it reports no change for it).
CREATE INDEX "jira_issues_incident_type_idx" ON "jira_issues" USING btree ("tenant_id", lower("issue_type"));

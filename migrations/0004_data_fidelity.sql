-- A commit belongs to every pull request that lists it: github_pull_request_commits (0003) is the
-- association; github_commits.pull_number kept only one of them. Copy what it held, then drop it.
INSERT INTO "github_pull_request_commits" ("tenant_id", "integration_id", "external_id", "raw_id", "repository", "pull_number", "sha")
SELECT "tenant_id", "integration_id", "repository" || '#' || "pull_number" || '@' || "sha", "raw_id", "repository", "pull_number", "sha"
FROM "github_commits"
WHERE "pull_number" IS NOT NULL
ON CONFLICT ("tenant_id", "integration_id", "external_id") DO NOTHING;
--> statement-breakpoint
ALTER TABLE "github_commits" DROP COLUMN "pull_number";

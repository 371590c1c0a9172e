import { z } from 'zod';
import { parseTimestamp } from './timestamps.ts';

/**
 * A range bound: an ISO date (midnight UTC) or date-time, UTC when it has no offset; then read by
 * the one strict parser, so `2026-02-30` is refused rather than rolled over into March.
 */
const isoDate = z.string().transform((s, ctx) => {
  const zoned = /^\d{4}-\d{2}-\d{2}$/.test(s)
    ? `${s}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(s)
      ? `${s}Z`
      : s;
  const date = /^\d{4}-/.test(zoned) ? parseTimestamp(zoned) : null;
  if (date === null) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO date' });
    return z.NEVER;
  }
  return date;
});

const csvList = <T extends z.ZodType>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) =>
      v === undefined
        ? []
        : (Array.isArray(v) ? v : [v])
            .flatMap((s) => s.split(','))
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    )
    .pipe(z.array(item) as z.ZodType<z.output<T>[], string[]>);

/** Scope of every metric: tenant (from the token), `[from, to)` in UTC, optional filters (comma lists or repeated). */
const metricScopeFields = z.object({
  from: isoDate.describe('Start of the range, inclusive (ISO date or timestamp, UTC when no offset).'),
  to: isoDate.describe('End of the range, exclusive.'),
  integration_id: csvList(z.coerce.number().int().positive()).describe('Only these integrations.'),
  repository: csvList(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/repo')).describe(
    'Only these GitHub repositories (owner/repo).',
  ),
  project: csvList(z.string().min(1)).describe('Only these Jira project keys (incidents and flow metrics).'),
});
// Runs even when a bound failed its own check (zod keeps going), so it only judges two real dates.
const rangeOrdered = (q: { from: unknown; to: unknown }) =>
  !(q.from instanceof Date) || !(q.to instanceof Date) || q.from.getTime() < q.to.getTime();
export const metricScopeQuerySchema = metricScopeFields.refine(rangeOrdered, {
  path: ['to'],
  message: 'to must be after from',
});
export type MetricScopeQuery = z.infer<typeof metricScopeQuerySchema>;

/** The scope plus a page of items (`limit`, `offset`). */
export const metricItemsQuerySchema = metricScopeFields
  .extend({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine(rangeOrdered, { path: ['to'], message: 'to must be after from' });

export const DORA_KEYS = [
  'deployment_frequency',
  'change_lead_time',
  'change_fail_rate',
  'failed_deployment_recovery_time',
  'deployment_rework_rate',
] as const;
export const doraKeySchema = z.enum(DORA_KEYS);
export type DoraKey = z.infer<typeof doraKeySchema>;

export const BANDS = ['elite', 'high', 'medium', 'low'] as const;
export const bandSchema = z.enum(BANDS);

export const bandThresholdsSchema = z.object({
  source: z.string().describe('The DORA report the thresholds are cited from.'),
  elite: z.string().nullable(),
  high: z.string().nullable(),
  medium: z.string().nullable(),
  low: z.string().nullable(),
  rule: z.string().describe('How a value is placed in a band.'),
});

export const weekCountSchema = z.object({
  week: z.string().describe('ISO week, e.g. 2026-W03'),
  week_start: z.string(),
  count: z.number().int(),
});

export const weekValueSchema = z.object({
  week: z.string().describe('ISO week, e.g. 2026-W03'),
  week_start: z.string(),
  count: z.number().int().describe('Items of the metric in this week.'),
  value: z.number().nullable().describe('The metric over those items alone; null when count is 0.'),
});

/** A weekly trend: every ISO week of the range, the metric over the items whose time falls in it. */
const trend = (when: string) =>
  z
    .array(weekValueSchema)
    .describe(
      `Per ISO week of the range (every week, also empty ones), the metric over the items whose ${when} falls in it.`,
    );

export const metricValueSchema = z.object({
  value: z.number().nullable().describe('null when count is 0.'),
  unit: z.string(),
  count: z.number().int(),
  band: bandSchema.nullable(),
  band_thresholds: bandThresholdsSchema,
  items_url: z.string(),
});

/** A metric with its per-ISO-week trend over the items whose `when` falls in each week. */
const trendedMetric = (when: string, description: string) =>
  metricValueSchema.extend({ per_week: trend(when) }).describe(description);

export const doraAnswerSchema = z.object({
  deployment_frequency: metricValueSchema
    .extend({ total: z.number().int(), per_week: z.array(weekCountSchema) })
    .describe(
      'Succeeded production deployments with deployed-at in [from, to), per day over the range (total, per ISO week). A production deployment is a GitHub deployment whose environment is one of the tenant’s production environments (default production, prod; case-insensitive). Succeeded: any of its statuses is success; deployed-at = that status’s created_at (the earliest, when several).',
    ),
  change_lead_time: trendedMetric(
    'deployed-at',
    'Per merged PR: its deployment is the first succeeded production deployment of the same repository with deployed-at ≥ merged_at; lead time = deployed-at − earliest authored_at of its commits (the PR’s created_at without commits). Median hours over PRs whose deployment is in range (count = those PRs).',
  ),
  change_fail_rate: trendedMetric(
    'deciding status (decided_at)',
    'Production deployments in range that failed (no success; a failure or error status, at = its created_at), or succeeded and were followed by an incident starting in [deployed-at, next succeeded production deployment of the same repository), divided by succeeded + failed production deployments in range. Fraction 0–1.',
  ),
  failed_deployment_recovery_time: trendedMetric(
    'failed deployment’s deciding status (decided_at)',
    'Per failed deployment in range (as in change_fail_rate): for a failed outcome, time to the next succeeded production deployment of the same repository; for an incident-linked one, the first linked incident’s end − start. Median hours; a failure not yet recovered is not counted.',
  ),
  deployment_rework_rate: trendedMetric(
    'deployed-at',
    'Succeeded production deployments in range whose deployed-at falls while an incident in scope is open (start ≤ t < end; an unresolved incident is open), divided by all succeeded production deployments in range. Fraction 0–1.',
  ),
});
export type DoraAnswer = z.infer<typeof doraAnswerSchema>;

export const phaseSchema = z.object({
  median_hours: z.number().nullable(),
  p75_hours: z.number().nullable(),
  count: z.number().int(),
});

export const prCycleAnswerSchema = z
  .object({
    count: z.number().int().describe('PRs merged in range.'),
    coding: phaseSchema.describe('Earliest commit authored → PR created (negative clamps to 0).'),
    pickup: phaseSchema.describe(
      'PR created → first review or review comment by someone other than the author.',
    ),
    review: phaseSchema.describe('That first review → merged.'),
    deploy: phaseSchema.describe(
      'Merged → deployed-at of its deployment (as in change lead time); missing when not yet deployed.',
    ),
    items_url: z.string(),
  })
  .describe(
    'PR cycle time over PRs merged in [from, to). Median and p75 are Postgres percentile_cont (linear interpolation).',
  );

export const flowAnswerSchema = z
  .object({
    cycle_time: phaseSchema.describe(
      'First entry into an in_progress step → first entry into a done step after it; issues whose done entry is in range.',
    ),
    lead_time: phaseSchema.describe('Created → that done entry; same issues.'),
    flow_efficiency: z
      .object({ value: z.number().nullable(), count: z.number().int() })
      .describe(
        'Sum of time in active in_progress steps ÷ sum of cycle time, over the same issues (fraction 0–1).',
      ),
    time_in_step: z
      .array(
        z.object({
          step_id: z.number().int(),
          step: z.string(),
          category: z.string(),
          kind: z.string().nullable(),
          total_hours: z.number(),
          issues: z.number().int(),
        }),
      )
      .describe(
        'Time spent in each step from creation to the done entry, summed from the transitions (unmapped statuses omitted), over the same issues.',
      ),
    wip: z
      .array(z.object({ day: z.string(), count: z.number().int() }))
      .describe('Issues in an in_progress step at each day’s end (UTC), days in range.'),
    throughput: z
      .array(weekCountSchema)
      .describe('Issues reaching done (their first done entry after in_progress) per ISO week in range.'),
    count: z.number().int(),
    items_url: z.string(),
  })
  .describe(
    'Flow metrics over active, mapped issues; a status maps through an active mapping (issue-type mapping first, else the any-type one) onto an active step.',
  );

export const metricSettingsSchema = z.object({
  production_environments: z
    .array(z.string().trim().min(1))
    .min(1)
    .describe('Matched case-insensitively. Default production, prod.'),
  incident_issue_types: z
    .array(z.string().trim().min(1))
    .describe('Matched case-insensitively. Default Incident.'),
  incident_labels: z
    .array(z.string().trim().min(1))
    .describe('An issue with any of these labels is an incident too.'),
});
export type MetricSettings = z.infer<typeof metricSettingsSchema>;

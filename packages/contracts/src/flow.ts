import { z } from 'zod';
import { idSchema } from './common.ts';

export const FLOW_CATEGORIES = ['todo', 'in_progress', 'done'] as const;
export const flowCategorySchema = z.enum(FLOW_CATEGORIES).describe('todo | in_progress | done');
export const flowKindSchema = z
  .enum(['active', 'waiting'])
  .describe(
    'For in_progress steps: active (work) or waiting (e.g. "Ready for review"; not work). null for other categories.',
  );

export const flowStepSchema = z.object({
  id: idSchema,
  name: z.string(),
  position: z.number().int(),
  category: flowCategorySchema,
  kind: flowKindSchema.nullable(),
  active: z.boolean(),
});
export type FlowStep = z.infer<typeof flowStepSchema>;

const stepName = z.string().trim().min(1).max(200);

export const createFlowStepBodySchema = z.object({
  name: stepName,
  /** Default: after the last step. */
  position: z.number().int().min(0).max(1_000_000).optional(),
  category: flowCategorySchema,
  /** Default for in_progress: active. */
  kind: flowKindSchema.optional(),
  active: z.boolean().default(true),
});
export type CreateFlowStepBody = z.infer<typeof createFlowStepBodySchema>;

export const patchFlowStepBodySchema = z.object({
  name: stepName.optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
  category: flowCategorySchema.optional(),
  kind: flowKindSchema.nullable().optional(),
  active: z.boolean().optional(),
});
export type PatchFlowStepBody = z.infer<typeof patchFlowStepBodySchema>;

export const deleteFlowStepQuerySchema = z.object({
  reassign_to: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('The step that takes over this step’s mappings (required).'),
  dry_run: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: answer the impact (mappings and issues affected) and change nothing.'),
});

export const statusMappingSchema = z.object({
  id: idSchema,
  integration_id: idSchema,
  source_status: z.string(),
  issue_type: z.string().nullable().describe('null: every issue type; else only issues of this type.'),
  flow_step_id: idSchema,
  active: z.boolean(),
});
export type StatusMapping = z.infer<typeof statusMappingSchema>;

export const deleteFlowStepImpactSchema = z.object({
  dry_run: z.boolean(),
  step: flowStepSchema,
  reassign_to: flowStepSchema,
  mappings_affected: z.number().int(),
  issues_affected: z.number().int().describe('Active issues whose current status maps onto the step.'),
  mappings: z.array(statusMappingSchema),
});

export const createStatusMappingBodySchema = z.object({
  integration_id: idSchema,
  source_status: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .describe('Matched ignoring case; unique per integration (+ issue type) ignoring case.'),
  issue_type: z.string().trim().min(1).max(300).nullable().default(null),
  flow_step_id: idSchema,
  active: z.boolean().default(true),
});

export const patchStatusMappingBodySchema = z.object({
  source_status: z.string().trim().min(1).max(300).optional(),
  issue_type: z.string().trim().min(1).max(300).nullable().optional(),
  flow_step_id: idSchema.optional(),
  active: z.boolean().optional(),
});

export const unmappedStatusSchema = z.object({
  integration_id: idSchema,
  status: z.string(),
  category_key: z
    .string()
    .nullable()
    .describe('Jira status category (new | indeterminate | done) when jira_statuses knows it.'),
  seen_in: z.array(z.enum(['jira_statuses', 'transitions'])),
  issues: z.number().int().describe('Issues currently in this status.'),
});

export const autoMapBodySchema = z.strictObject({
  /** Default: every Jira integration of the tenant. */
  integration_id: idSchema.optional(),
});

export const autoMapResultSchema = z.object({
  created_steps: z.array(flowStepSchema),
  created_mappings: z.array(statusMappingSchema),
  left_unmapped: z
    .array(unmappedStatusSchema)
    .describe('Statuses without a Jira category (only seen in transitions).'),
});

export const issueActiveBodySchema = z.object({ active: z.boolean() });
export const issueActiveViewSchema = z.object({
  integration_id: idSchema,
  key: z.string(),
  external_id: z.string(),
  active: z.boolean(),
  reason: z.enum(['user', 'missing_from_full_run']).nullable(),
});

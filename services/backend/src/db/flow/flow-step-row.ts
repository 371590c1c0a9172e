import type { FlowStep } from '@tributary/contracts';

/** A flow_steps row as the statements in this folder return it (ids are bigint, so text). */
export interface FlowStepRow {
  id: string;
  name: string;
  position: number;
  category: FlowStep['category'];
  kind: FlowStep['kind'];
  active: boolean;
}

export const FLOW_STEP_COLUMNS = 'id, name, position, category, kind, active';

export { buildSimulator, simulatorPlugin } from './app.ts';
export type {
  SimulatorConfig,
  ResolvedConfig,
  FaultRule,
  FaultKind,
  RateLimitSettings,
  BurstLimitSettings,
  LimitsConfig,
} from './config.ts';
export type { TruthSummary, TruthIssue, TruthPullRequest, AdvanceResult } from './control/truth.ts';
export type { JiraIssue, JiraHistory, JiraHistoryItem, JiraChangelog, JiraUser } from './jira/serialize.ts';
export type { StatsSnapshot } from './faults/stats.ts';
export { startSimulator } from './testing.ts';
export type { RunningSimulator } from './testing.ts';

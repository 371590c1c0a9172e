export * from './tenants.ts';
export * from './integrations.ts';
export * from './jobs.ts';
export * from './raw.ts';
export * from './dead-letters.ts';
export * from './jira.ts';
export * from './github.ts';
export * from './flow.ts';

export * from './common.ts';
export * from './entity-types.ts';
export * from './tenants.ts';
export * from './integrations.ts';
export * from './raw-data.ts';
export * from './jobs.ts';
export * from './messages.ts';

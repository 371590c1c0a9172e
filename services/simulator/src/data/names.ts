// Word pools for readable generated data. Keep them stable: changing them changes every seed's data.

export const PROJECT_WORDS = [
  ['CORE', 'Core Platform'],
  ['WEB', 'Web Frontend'],
  ['MOB', 'Mobile Apps'],
  ['OPS', 'Operations'],
  ['DATA', 'Data Pipeline'],
  ['PAY', 'Payments'],
  ['SEC', 'Security'],
  ['API', 'Public API'],
  ['INFRA', 'Infrastructure'],
  ['GROW', 'Growth'],
] as const;

export const REPO_NAMES = [
  'api-server',
  'web-app',
  'mobile-client',
  'infra-config',
  'data-pipeline',
  'payments-service',
  'auth-gateway',
  'design-system',
  'docs-site',
  'cli-tools',
] as const;

export const FIRST_NAMES = [
  'Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Radia',
  'Edsger', 'Hedy', 'Donald', 'Katherine', 'Guido', 'Annie', 'Bjarne', 'Shafi', 'Tim', 'Sophie',
  'Niklaus', 'Lynn', 'John', 'Adele', 'Yukihiro', 'Mary', 'James', 'Jean', 'Rob', 'Evelyn',
] as const;

export const LAST_NAMES = [
  'Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Turing',
  'Perlman', 'Dijkstra', 'Lamarr', 'Knuth', 'Johnson', 'Rossum', 'Easley', 'Stroustrup', 'Goldwasser',
  'Berners-Lee', 'Wilson', 'Wirth', 'Conway', 'Backus', 'Goldberg', 'Matsumoto', 'Keller', 'Gosling',
  'Sammet', 'Pike', 'Boyd',
] as const;

export const VERBS = [
  'Fix', 'Add', 'Refactor', 'Remove', 'Improve', 'Document', 'Migrate', 'Optimise', 'Investigate',
  'Support', 'Handle', 'Upgrade', 'Clean up', 'Validate', 'Cache',
] as const;

export const NOUNS = [
  'login flow', 'payment retries', 'search index', 'export job', 'rate limiter', 'session timeout',
  'audit log', 'webhook delivery', 'dashboard widgets', 'billing report', 'user settings page',
  'API pagination', 'error handling', 'feature flags', 'notification emails', 'CSV import',
  'deploy pipeline', 'dark mode', 'permissions check', 'database migrations',
] as const;

export const LABELS = ['backend', 'frontend', 'tech-debt', 'customer', 'performance', 'security', 'ux', 'infra'] as const;

export const FILE_PATHS = [
  'src/index.ts', 'src/server.ts', 'src/routes/users.ts', 'src/db/schema.ts', 'src/lib/retry.ts',
  'README.md', 'package.json', 'src/components/Button.tsx', 'src/api/client.ts', 'test/app.test.ts',
] as const;

export const ENVIRONMENTS = ['production', 'staging', 'production', 'preview'] as const;

import type { z } from 'zod';

/** A field as the API names it (DESIGN §5a): `['records', 3, 'entity_type']` → `records.3.entity_type`. */
export function issuePath(path: readonly PropertyKey[], under: readonly string[] = []): string {
  return [...under, ...path.map((p) => (typeof p === 'symbol' ? (p.description ?? '') : String(p)))].join(
    '.',
  );
}

/** `{ path, message }` for each issue, the shape of `error.details`; `under` prefixes every path. */
export function issueDetails(
  issues: readonly z.core.$ZodIssue[],
  under: readonly string[] = [],
): { path: string; message: string }[] {
  return issues.map((issue) => ({ path: issuePath(issue.path, under), message: issue.message }));
}

/** Every issue on one line, `path: message; path: message` (`(root)` for the value itself). */
export function formatIssues(issues: readonly z.core.$ZodIssue[], under: readonly string[] = []): string {
  return issueDetails(issues, under)
    .map((d) => `${d.path || '(root)'}: ${d.message}`)
    .join('; ');
}

/**
 * A connection test that reached the source but found configured scopes it cannot
 * read (a Jira project key that does not exist, a repository the token cannot
 * see). Every failing scope is named, not only the first.
 */
export class ScopeCheckError extends Error {
  override name = 'ScopeCheckError';
  readonly failed: readonly { scope: string; reason: string }[];

  constructor(what: string, failed: readonly { scope: string; reason: string }[]) {
    super(`${what}: ${failed.map((f) => `${f.scope} (${f.reason})`).join('; ')}`);
    this.failed = failed;
  }
}

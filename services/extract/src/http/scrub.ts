/** What a secret is replaced with in any text we keep or show. */
export const SCRUBBED = '[secret]';

/** Secrets shorter than this are not scrubbed by value: replacing every `a` would garble text and hide nothing. */
const MIN_SECRET_CHARS = 4;

export type Scrubber = (text: string) => string;

/**
 * A function that removes the given secrets from text by value, in the forms they travel in: as
 * they are, URL-encoded, JSON-escaped, and — for Basic auth — the base64 of `user:secret`. Key-name
 * redaction (pino paths) cannot catch a token quoted inside an error message or an echoed body.
 */
export function createScrubber(secrets: readonly string[], extraForms: readonly string[] = []): Scrubber {
  const forms = new Set<string>();
  for (const secret of [...secrets, ...extraForms]) {
    if (secret.length < MIN_SECRET_CHARS) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...forms].filter((f) => f.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join(SCRUBBED);
    return out;
  };
}

const SCRUBBED_FIELDS = ['message', 'stack', 'bodySnippet', 'url'] as const;

/**
 * Scrubs an error in place — its message, stack, kept body snippet and URL, and those of its
 * causes — and returns it, so whatever stores or logs it later (breaker `lastError`, job error,
 * connection-test answer, log line) sees no secret.
 */
export function scrubError<T>(error: T, scrub: Scrubber): T {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    for (const field of SCRUBBED_FIELDS) {
      const value = record[field];
      if (typeof value === 'string') {
        const clean = scrub(value);
        if (clean !== value)
          Object.defineProperty(current, field, { value: clean, writable: true, configurable: true });
      }
    }
    current = record.cause;
  }
  return error;
}

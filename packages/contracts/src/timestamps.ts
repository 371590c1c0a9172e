/**
 * The one timestamp parser every service uses (extract cursors, transformers, tests), so a value
 * the extractor accepts is never one a transformer rejects. It accepts what the real APIs send:
 * - Jira: `2024-03-01T10:15:30.123+0000` (offset without a colon),
 * - GitHub: `2024-03-01T10:15:30Z`,
 * - ISO 8601 with any offset (`+01:00`, `-0530`, `+05`), with or without seconds / fractions,
 * - epoch milliseconds (from 1973 on), as a JSON number or a numeric string (`changelog/bulkfetch` sends
 *   `created: 1710000000000` on some histories, as Atlassian's own example does).
 * A date-time without a zone is ambiguous and is not a timestamp; nor is a day that does not exist.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/** Epoch ms must name a date JavaScript can represent. */
const MAX_EPOCH_MS = 8.64e15;
/**
 * Below this (1973-03-03 in ms) a number is far more likely epoch *seconds* (GitHub webhooks send
 * `pushed_at` that way), which read as ms would silently land in January 1970: refuse it instead.
 */
const MIN_EPOCH_MS = 1e11;

/** The instant `value` names, or null when it is not a timestamp in one of the forms above. */
export function parseTimestamp(value: unknown): Date | null {
  if (typeof value === 'number') return fromEpochMs(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) return fromEpochMs(Number(text));
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone = 'Z'] = m;
  const millis = (fraction + '000').slice(0, 3);
  const offset = zone === 'Z' || zone === 'z' ? 'Z' : normalizeOffset(zone);
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // `new Date` rolls 2024-02-30 over to March; a day that does not exist is not a timestamp.
  if (!sameCalendarFields(date, iso)) return null;
  return date;
}

/** Epoch ms of `value`, or null; see `parseTimestamp`. */
export function timestampMs(value: unknown): number | null {
  return parseTimestamp(value)?.getTime() ?? null;
}

function fromEpochMs(ms: number): Date | null {
  return Number.isSafeInteger(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? new Date(ms) : null;
}

function normalizeOffset(zone: string): string {
  const digits = zone.slice(1).replace(':', '');
  const hh = digits.slice(0, 2);
  const mm = digits.slice(2, 4) || '00';
  return `${zone[0] ?? '+'}${hh}:${mm}`;
}

/** True when the date's wall-clock fields in the given offset match the ones written. */
function sameCalendarFields(date: Date, iso: string): boolean {
  const offset = iso.slice(23);
  const minutes =
    offset === 'Z'
      ? 0
      : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(date.getTime() + minutes * 60_000).toISOString();
  return local.slice(0, 19) === iso.slice(0, 19);
}

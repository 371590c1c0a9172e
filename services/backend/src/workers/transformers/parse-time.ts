/**
 * Timestamps as the sources send them:
 * - Jira: `2024-03-01T10:15:30.123+0000` (offset without a colon),
 * - GitHub: `2024-03-01T10:15:30Z`,
 * and plain ISO 8601 with `+01:00` offsets or without seconds / fractions.
 * A date and time with an explicit zone is required; anything else is not a timestamp.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)$/;

/** The instant `value` names, or null when it is not a timestamp in one of the formats above. */
export function parseTime(value: string): Date | null {
  const m = TIMESTAMP.exec(value.trim());
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

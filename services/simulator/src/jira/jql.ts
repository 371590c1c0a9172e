// The JQL subset the simulator understands. Anything outside it is rejected with Jira's 400 shape
// rather than silently ignored, so a client relying on unsupported syntax finds out in tests.

export type OrderField = 'updated' | 'created' | 'key' | 'id';
export interface OrderItem {
  field: OrderField;
  dir: 'ASC' | 'DESC';
}
export interface DateBound {
  field: 'updated' | 'created';
  op: '>=' | '>' | '<=' | '<' | '=';
  ms: number;
}
export interface JqlQuery {
  /** Project keys (upper-case) or ids; null when the query does not restrict projects. */
  projects: string[] | null;
  dates: DateBound[];
  order: OrderItem[];
  bounded: boolean;
}

export class JqlError extends Error {}

interface Token {
  kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma';
  text: string;
  pos: number;
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos });
      i++;
    } else if (c === '"' || c === "'") {
      const end = jql.indexOf(c, i + 1);
      if (end < 0)
        throw new JqlError(
          `Error in the JQL Query: The quoted string '${jql.slice(i)}' has not been completed. (line 1, character ${pos + 1})`,
        );
      tokens.push({ kind: 'string', text: jql.slice(i + 1, end), pos });
      i = end + 1;
    } else if ('<>=!~'.includes(c)) {
      const two = jql.slice(i, i + 2);
      const op = ['>=', '<=', '!=', '!~'].includes(two) ? two : c;
      tokens.push({ kind: 'op', text: op, pos });
      i += op.length;
    } else {
      const m = /^[A-Za-z0-9_.\-:/+]+/.exec(jql.slice(i));
      if (!m)
        throw new JqlError(
          `Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}' instead. (line 1, character ${pos + 1})`,
        );
      tokens.push({ kind: 'word', text: m[0], pos });
      i += m[0].length;
    }
  }
  return tokens;
}

const DATE_FIELDS: Record<string, 'updated' | 'created'> = {
  updated: 'updated',
  updateddate: 'updated',
  created: 'created',
  createddate: 'created',
};
const ORDER_FIELDS: Record<string, OrderField> = {
  updated: 'updated',
  updateddate: 'updated',
  created: 'created',
  createddate: 'created',
  key: 'key',
  issuekey: 'key',
  id: 'id',
};

/** The UTC instant of a wall-clock time in `timeZone` (the earlier one when a DST change repeats it). */
export function zonedTimeToUtc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  timeZone: string,
): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (instant: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return (
      Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) -
      Math.floor(instant / 60_000) * 60_000
    );
  };
  // Two passes settle the offset on either side of a DST change.
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return guess;
}

/**
 * Jira reads absolute dates in the user's time zone (`/myself` → `timeZone`), as real Jira does.
 * Relative periods (`-5d`, `-2h`, `-30m`, `-1w`) are relative to `now`.
 */
export function parseJqlDate(text: string, now: number, timeZone = 'UTC'): number | null {
  const abs = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (abs) {
    const [, y, mo, d, h, mi] = abs;
    const ms = zonedTimeToUtc(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), timeZone);
    return Number.isNaN(ms) ? null : ms;
  }
  const rel = /^([-+]?)(\d+)([wdhm])$/.exec(text.trim());
  if (rel) {
    const unit = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[3] as 'w' | 'd' | 'h' | 'm'];
    const sign = rel[1] === '-' ? -1 : 1;
    return now + sign * Number(rel[2]) * unit;
  }
  if (/^\d{10,}$/.test(text.trim())) return Number(text.trim());
  return null;
}

export function parseJql(jql: string, now: number, timeZone = 'UTC'): JqlQuery {
  const tokens = tokenize(jql);
  let p = 0;
  const peek = (): Token | undefined => tokens[p];
  const describe = (t: Token | undefined): string => (t ? `'${t.text}'` : 'the end of the query');
  const where = (t: Token | undefined): string => `(line 1, character ${(t?.pos ?? jql.length) + 1})`;
  const fail = (expected: string, t: Token | undefined): never => {
    throw new JqlError(`Error in the JQL Query: Expecting ${expected} but got ${describe(t)}. ${where(t)}`);
  };
  const isWord = (t: Token | undefined, w: string): boolean =>
    t?.kind === 'word' && t.text.toLowerCase() === w;

  const query: JqlQuery = { projects: null, dates: [], order: [], bounded: false };
  const value = (): string => {
    const t = peek();
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) return fail('either a value, list or function', t);
    p++;
    return t.text;
  };

  const clause = (): void => {
    const fieldTok = peek();
    if (!fieldTok || (fieldTok.kind !== 'word' && fieldTok.kind !== 'string'))
      return fail('a field name', fieldTok);
    p++;
    const field = fieldTok.text.toLowerCase();
    const opTok = peek();
    if (field === 'project') {
      let keys: string[];
      if (opTok?.kind === 'op' && opTok.text === '=') {
        p++;
        keys = [value()];
      } else if (isWord(opTok, 'in')) {
        p++;
        if (peek()?.kind !== 'lparen') return fail("'('", peek());
        p++;
        keys = [value()];
        while (peek()?.kind === 'comma') {
          p++;
          keys.push(value());
        }
        if (peek()?.kind !== 'rparen') return fail("')'", peek());
        p++;
      } else {
        throw new JqlError(
          `Error in the JQL Query: The operator '${opTok?.text ?? ''}' is not supported by the simulator for field 'project'. ${where(opTok)}`,
        );
      }
      const upper = keys.map((k) => k.toUpperCase());
      // Repeated project clauses are ANDed, so only keys present in both remain.
      query.projects = query.projects === null ? upper : query.projects.filter((k) => upper.includes(k));
      query.bounded = true;
      return;
    }
    const dateField = DATE_FIELDS[field];
    if (dateField) {
      if (opTok?.kind !== 'op' || !['>=', '>', '<=', '<', '='].includes(opTok.text))
        return fail('operator', opTok);
      p++;
      const raw = value();
      const ms = parseJqlDate(raw, now, timeZone);
      if (ms === null) {
        throw new JqlError(
          `Date value '${raw}' for field '${fieldTok.text}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
        );
      }
      query.dates.push({ field: dateField, op: opTok.text as DateBound['op'], ms });
      query.bounded = true;
      return;
    }
    throw new JqlError(
      `Error in the JQL Query: Field '${fieldTok.text}' does not exist or you do not have permission to view it (the simulator supports project, updated and created). ${where(fieldTok)}`,
    );
  };

  if (peek() && !isWord(peek(), 'order')) {
    clause();
    for (;;) {
      const t = peek();
      if (isWord(t, 'and')) {
        p++;
        clause();
      } else if (isWord(t, 'or') || isWord(t, 'not')) {
        throw new JqlError(
          `Error in the JQL Query: '${t?.text ?? ''}' is not supported by the simulator; only AND is. ${where(t)}`,
        );
      } else break;
    }
  }
  if (isWord(peek(), 'order')) {
    p++;
    if (!isWord(peek(), 'by')) fail("'by'", peek());
    p++;
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'word') return fail('a field name', t);
      const field = ORDER_FIELDS[t.text.toLowerCase()];
      if (!field)
        throw new JqlError(`Error in the JQL Query: Not able to sort using field '${t.text}'. ${where(t)}`);
      p++;
      let dir: 'ASC' | 'DESC' = 'ASC';
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc')) {
        dir = (peek()?.text.toUpperCase() as 'ASC' | 'DESC') ?? 'ASC';
        p++;
      }
      query.order.push({ field, dir });
      if (peek()?.kind === 'comma') {
        p++;
        continue;
      }
      break;
    }
  }
  if (p < tokens.length) fail("'AND' or 'ORDER BY'", peek());
  return query;
}

/**
 * What the raw layer can hold, checked per record so one odd record is refused alone
 * (with a reason the extractor records on the job and in the dead-letter archive) and
 * never turns a whole page into a 500 that looks like "backend down".
 *
 * Postgres `jsonb` cannot hold U+0000 (error 22P05) or lone UTF-16 surrogates. Real Jira
 * summaries and GitHub bodies do contain NUL, so NUL is kept losslessly instead of refused:
 * in every string that contains one, `\` is written `\\` and U+0000 is written `\0`, and the
 * JSON pointer of each such string is listed in `extraction_metadata.nul_escaped`. Only those
 * strings change, so `restoreNul` gives back exactly what the source sent.
 */

/** Deeper than this is refused: real payloads (Jira ADF, GitHub events) stay far below it. */
export const MAX_RAW_DEPTH = 128;
/** One record's JSON text; a page of ordinary records is a few KB each. */
export const MAX_RAW_RECORD_BYTES = 8 * 1024 * 1024;

/** The metadata key that lists the escaped strings (RFC 6901 pointers into raw_data). */
export const NUL_ESCAPED_KEY = 'nul_escaped';

export type RefusalCode = 'RECORD_TOO_DEEP' | 'RECORD_TOO_LARGE' | 'UNSUPPORTED_TEXT' | 'REFUSED_BY_DATABASE';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export type CheckedRecord =
  { ok: true; raw: Record<string, unknown>; nulEscaped: string[] } | { ok: false; refusal: Refusal };

type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

const pointerSegment = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

const escapeNulText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\0/g, '\\0');

const unescapeNulText = (text: string): string =>
  text.replace(/\\([\\0])/g, (_, c: string) => (c === '0' ? '\0' : '\\'));

/**
 * Checks depth and text of `raw` without recursion (a 10 000-level document must not blow the
 * stack here) and lists the strings holding U+0000; `raw` is not changed. Size is checked by the
 * caller on the JSON text, once the depth is known to be sane.
 */
export function checkRawRecord(raw: Record<string, unknown>): CheckedRecord {
  const nulEscaped: string[] = [];
  const stack: { node: Container; depth: number; pointer: string }[] = [{ node: raw, depth: 1, pointer: '' }];
  while (stack.length > 0) {
    const { node, depth, pointer } = stack.pop()!;
    if (depth > MAX_RAW_DEPTH) {
      return {
        ok: false,
        refusal: { code: 'RECORD_TOO_DEEP', message: `raw_data nests deeper than ${MAX_RAW_DEPTH} levels` },
      };
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [i, v])
      : Object.entries(node);
    for (const [key, value] of entries) {
      const at = `${pointer}/${pointerSegment(key)}`;
      if (typeof key === 'string' && !textStorable(key)) {
        return {
          ok: false,
          refusal: {
            code: 'UNSUPPORTED_TEXT',
            message: `raw_data has a key with U+0000 or a lone surrogate at ${pointer || '/'}`,
          },
        };
      }
      if (typeof value === 'string') {
        if (!value.isWellFormed()) {
          return {
            ok: false,
            refusal: { code: 'UNSUPPORTED_TEXT', message: `raw_data has a lone UTF-16 surrogate at ${at}` },
          };
        }
        if (value.includes('\0')) nulEscaped.push(at);
      } else if (isContainer(value)) {
        stack.push({ node: value, depth: depth + 1, pointer: at });
      }
    }
  }
  return { ok: true, raw, nulEscaped };
}

/** Escapes the strings `pointers` name (from `checkRawRecord`) in place; returns `raw`. */
export function escapeNul(raw: unknown, pointers: readonly string[]): unknown {
  return mapStrings(raw, pointers, escapeNulText);
}

/** Undoes `escapeNul` in place, from the pointers in the record's metadata; returns `raw`. */
export function restoreNul(raw: unknown, metadata: Record<string, unknown>): unknown {
  const pointers = metadata[NUL_ESCAPED_KEY];
  if (!Array.isArray(pointers)) return raw;
  return mapStrings(
    raw,
    pointers.filter((p): p is string => typeof p === 'string'),
    unescapeNulText,
  );
}

function mapStrings(raw: unknown, pointers: readonly string[], change: (text: string) => string): unknown {
  if (!isContainer(raw)) return raw;
  for (const pointer of pointers) {
    const segments = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop();
    if (last === undefined) continue;
    let node: unknown = raw;
    for (const segment of segments)
      node = isContainer(node) ? (node as Record<string, unknown>)[segment] : undefined;
    if (!isContainer(node)) continue;
    const parent = node as Record<string, unknown>;
    const value = parent[last];
    if (typeof value === 'string') parent[last] = change(value);
  }
  return raw;
}

/**
 * JSON text of any document, however deep, without recursion (JSON.stringify overflows the stack
 * a few thousand levels down). Used only for records being refused, to archive them as they came.
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  const work: unknown[] = [value];
  const RAW = Symbol('raw');
  while (work.length > 0) {
    const item = work.pop();
    if (typeof item === 'object' && item !== null && RAW in item) {
      out.push((item as { [RAW]: string })[RAW]);
    } else if (Array.isArray(item)) {
      const parts: unknown[] = [{ [RAW]: '[' }];
      item.forEach((v, i) => parts.push(...(i > 0 ? [{ [RAW]: ',' }] : []), v === undefined ? null : v));
      parts.push({ [RAW]: ']' });
      for (let i = parts.length - 1; i >= 0; i--) work.push(parts[i]);
    } else if (isContainer(item)) {
      const parts: unknown[] = [{ [RAW]: '{' }];
      Object.entries(item)
        .filter(([, v]) => v !== undefined)
        .forEach(([k, v], i) => parts.push({ [RAW]: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, v));
      parts.push({ [RAW]: '}' });
      for (let i = parts.length - 1; i >= 0; i--) work.push(parts[i]);
    } else {
      out.push(JSON.stringify(item) ?? 'null');
    }
  }
  return out.join('');
}

function textStorable(text: string): boolean {
  return !text.includes('\0') && text.isWellFormed();
}

/** The size refusal for a record whose JSON text is `bytes` long, or null when it fits. */
export function sizeRefusal(bytes: number): Refusal | null {
  return bytes > MAX_RAW_RECORD_BYTES
    ? {
        code: 'RECORD_TOO_LARGE',
        message: `raw_data is ${bytes} bytes; at most ${MAX_RAW_RECORD_BYTES} are stored per record`,
      }
    : null;
}

/** Text for a normalized column: U+0000 carries no meaning in a summary or body, and Postgres text cannot hold it. */
export function dropNul(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, '') : text;
}

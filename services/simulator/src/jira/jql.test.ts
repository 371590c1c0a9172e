import { describe, expect, it } from 'vitest';
import { JqlError, parseJql, parseJqlDate } from './jql.ts';

const NOW = Date.UTC(2025, 5, 1, 12, 0);

describe('parseJql', () => {
  it('reads project lists, date bounds and ORDER BY', () => {
    const q = parseJql(
      'project in (CORE, "web") AND updated >= "2024-03-01 10:15" ORDER BY updated ASC, key DESC',
      NOW,
    );
    expect(q.projects).toEqual(['CORE', 'WEB']);
    expect(q.dates).toEqual([{ field: 'updated', op: '>=', ms: Date.UTC(2024, 2, 1, 10, 15) }]);
    expect(q.order).toEqual([
      { field: 'updated', dir: 'ASC' },
      { field: 'key', dir: 'DESC' },
    ]);
    expect(q.bounded).toBe(true);
  });

  it('accepts project = X, > and case-insensitive keywords', () => {
    const q = parseJql('PROJECT = core and Updated > "2024/03/01" order by created', NOW);
    expect(q.projects).toEqual(['CORE']);
    expect(q.dates[0]).toMatchObject({ op: '>', ms: Date.UTC(2024, 2, 1) });
    expect(q.order).toEqual([{ field: 'created', dir: 'ASC' }]);
  });

  it('marks a query without restrictions as unbounded', () => {
    expect(parseJql('ORDER BY updated', NOW).bounded).toBe(false);
    expect(parseJql('', NOW).bounded).toBe(false);
  });

  it.each([
    ['assignee = currentUser()', /Field 'assignee' does not exist/],
    ['project = A OR project = B', /only AND/],
    ['project ~ A', /operator/],
    ['updated >= "yesterday"', /Date value 'yesterday'/],
    ['project in (A, B', /Expecting '\)'/],
    ['project = A ORDER BY summary', /Not able to sort using field 'summary'/],
    ['project = A extra', /Expecting 'AND' or 'ORDER BY'/],
    ['project = "A', /has not been completed/],
  ])('rejects %s', (jql, message) => {
    expect(() => parseJql(jql, NOW)).toThrow(JqlError);
    expect(() => parseJql(jql, NOW)).toThrow(message);
  });

  it('parses relative dates against the given clock', () => {
    expect(parseJqlDate('-1d', NOW)).toBe(NOW - 86_400_000);
    expect(parseJqlDate('-30m', NOW)).toBe(NOW - 1_800_000);
  });
});

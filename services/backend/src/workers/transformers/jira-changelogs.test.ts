import { describe, expect, it } from 'vitest';
import { timestampMs } from '@tributary/contracts';
import { jiraChangelogsTransformer } from './jira-changelogs.ts';
import { EMMA, MIA, at, context, jiraChangelog, statusItem, transformError } from './fixtures.ts';

const transform = (raw: unknown) => jiraChangelogsTransformer.transform(raw, context());

function historiesOf(raw: Record<string, unknown>): Array<Record<string, unknown>> {
  return raw.histories as Array<Record<string, unknown>>;
}

describe('jira_changelogs → jira_issue_transitions', () => {
  it('reads bulkfetch `created` as epoch ms (number or numeric string) beside ISO histories', () => {
    const raw = jiraChangelog();
    const histories = historiesOf(raw);
    const iso = transform(raw).map((r) => r.columns.transitioned_at);
    histories.forEach((h, k) => {
      const ms = timestampMs(h.created)!;
      h.created = k % 2 === 0 ? ms : String(ms);
    });
    expect(transform(raw).map((r) => r.columns.transitioned_at)).toEqual(iso);
  });

  it('turns status items into transitions, oldest first, and ignores other items', () => {
    expect(transform(jiraChangelog())).toEqual([
      {
        table: 'jira_issue_transitions',
        externalId: '10500:0',
        columns: {
          issue_external_id: '10002',
          issue_key: 'EX-42',
          from_status: 'To Do',
          to_status: 'In Progress',
          author_account_id: null,
          author_name: null,
          transitioned_at: at('2024-02-28T11:00:00.000Z'),
        },
      },
      {
        table: 'jira_issue_transitions',
        externalId: '10600:0',
        columns: {
          issue_external_id: '10002',
          issue_key: 'EX-42',
          from_status: 'In Progress',
          to_status: 'In Review',
          author_account_id: MIA.accountId,
          author_name: MIA.displayName,
          transitioned_at: at('2024-02-29T09:30:00.000Z'),
        },
      },
      {
        table: 'jira_issue_transitions',
        externalId: '10702:1', // the status item is the second item of its history
        columns: {
          issue_external_id: '10002',
          issue_key: 'EX-42',
          from_status: 'In Review',
          to_status: 'Done',
          author_account_id: EMMA.accountId,
          author_name: EMMA.displayName,
          transitioned_at: at('2024-03-01T10:15:30.123Z'),
        },
      },
    ]);
  });

  it('gives the same ids whatever order the histories come in', () => {
    const newestFirst = transform(jiraChangelog());
    const raw = jiraChangelog();
    raw.histories = [...historiesOf(raw)].reverse();
    const oldestFirst = transform(raw);
    expect(oldestFirst).toEqual(newestFirst);
  });

  it('accepts bulkfetch changeHistories, without issueKey', () => {
    const { histories, issueKey: _key, ...rest } = jiraChangelog();
    const rows = transform({ ...rest, changeHistories: histories });
    expect(rows.map((r) => r.externalId)).toEqual(['10500:0', '10600:0', '10702:1']);
    expect(rows[0]?.columns.issue_key).toBeNull();
  });

  it('recognizes status by fieldId, not a custom field named "status"', () => {
    const raw = {
      issueId: '1',
      histories: [
        {
          id: '5',
          created: '2024-03-01T10:00:00.000+0000',
          items: [
            {
              field: 'Status',
              fieldtype: 'jira',
              fieldId: 'status',
              from: '1',
              fromString: 'Open',
              to: '3',
              toString: 'Closed',
            },
            {
              field: 'status',
              fieldtype: 'custom',
              fieldId: 'customfield_10100',
              from: null,
              fromString: 'a',
              to: null,
              toString: 'b',
            },
          ],
        },
      ],
    };
    expect(transform(raw).map((r) => [r.externalId, r.columns.to_status])).toEqual([['5:0', 'Closed']]);
  });

  it('tolerates an item without toString / fromString (not read off Object.prototype)', () => {
    const raw = {
      issueId: '1',
      histories: [{ id: '5', created: '2024-03-01T10:00:00.000+0000', items: [{ field: 'status' }] }],
    };
    expect(transform(raw)[0]?.columns).toMatchObject({ from_status: null, to_status: null });
  });

  it('produces no rows for an empty changelog or one without status changes', () => {
    expect(transform({ issueId: '10002', issueKey: 'EX-42', histories: [] })).toEqual([]);
    const raw = jiraChangelog();
    const histories = historiesOf(raw);
    raw.histories = [histories[1]];
    expect(transform(raw)).toEqual([]);
  });

  describe('bad records name the field', () => {
    it('histories.N.created not a date', () => {
      const raw = jiraChangelog();
      const first = historiesOf(raw)[0];
      if (first) first.created = 'last tuesday';
      expect(transformError(() => transform(raw)).path).toBe('histories.0.created');
    });

    it('an item with a non-string toString', () => {
      const raw = jiraChangelog();
      historiesOf(raw)[2] = {
        id: '9',
        created: '2024-03-01T10:00:00.000+0000',
        items: [{ ...statusItem(['1', 'a'], ['2', 'b']), toString: 2 }],
      };
      expect(transformError(() => transform(raw)).path).toBe('histories.2.items.0.toString');
    });

    it('no histories at all, or no issue id', () => {
      expect(transformError(() => transform({ issueId: '1' })).path).toBe('histories');
      const { issueId: _id, ...rest } = jiraChangelog();
      expect(transformError(() => transform(rest)).path).toBe('issueId');
    });
  });
});

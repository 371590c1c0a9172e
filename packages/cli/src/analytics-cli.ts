import type { CliIo } from './cli.ts';
import { connect } from './api-connection.ts';
import { failure, parseCommandLine, positiveId, UsageError } from './command-line.ts';
import type { FlowStep, StatusMapping } from '@tributary/contracts';

export const ANALYTICS_USAGE = `tributary metrics and flow commands

Usage:
  tributary metrics dora|prs|flow --from ISO --to ISO [--integration ID…] [--repository OWNER/REPO…] [--project KEY…]
  tributary metrics items dora/KEY|prs|flow --from ISO --to ISO [--limit N] [--offset N] [filters as above]
  tributary flow steps list
  tributary flow steps add NAME --category todo|in_progress|done [--kind active|waiting] [--position N] [--inactive]
  tributary flow steps delete ID --reassign-to ID [--dry-run]
  tributary flow mappings list
  tributary flow mappings add --integration ID --status NAME --step ID [--issue-type TYPE]
  tributary flow unmapped [--integration ID]
  tributary flow auto-map [--integration ID]
  tributary flow issue INTEGRATION_ID KEY --active true|false

Options: --url URL (env TRIBUTARY_URL), --token TOKEN (env TRIBUTARY_TOKEN) or --token-file PATH (env TRIBUTARY_TOKEN_FILE), --json
`;

interface Metric {
  value: number | null;
  unit: string;
  count: number;
  band?: string | null;
}

const fmt = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined ? '-' : v.toFixed(digits);

/** `tributary metrics …` and `tributary flow …`: the analytics API from a terminal. */
export async function runAnalyticsCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      integration: { type: 'string', multiple: true },
      repository: { type: 'string', multiple: true },
      project: { type: 'string', multiple: true },
      limit: { type: 'string' },
      offset: { type: 'string' },
      category: { type: 'string' },
      kind: { type: 'string' },
      position: { type: 'string' },
      inactive: { type: 'boolean', default: false },
      'reassign-to': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      status: { type: 'string' },
      step: { type: 'string' },
      'issue-type': { type: 'string' },
      active: { type: 'string' },
    },
    ANALYTICS_USAGE,
    io.err,
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  const call = connect(values, io);
  if (!call) return 2;
  const scope = () => {
    if (!values.from || !values.to)
      throw new UsageError('--from and --to are required (ISO dates, [from, to) in UTC)');
    const params = new URLSearchParams({ from: values.from, to: values.to });
    for (const v of values.integration ?? []) params.append('integration_id', v);
    for (const v of values.repository ?? []) params.append('repository', v);
    for (const v of values.project ?? []) params.append('project', v);
    if (values.limit) params.set('limit', values.limit);
    if (values.offset) params.set('offset', values.offset);
    return params.toString();
  };
  const print = (answer: unknown, table: () => void) => {
    if (values.json) io.out(JSON.stringify(answer, null, 2));
    else table();
  };

  try {
    const [group, command, ...rest] = positionals;
    if (group === 'metrics' && command === 'dora') {
      const answer = (await call('GET', `/api/v1/metrics/dora?${scope()}`)) as Record<string, Metric>;
      print(answer, () => {
        for (const [key, m] of Object.entries(answer)) {
          io.out(
            `${key}\t${fmt(m.value, m.unit === 'fraction' ? 3 : 2)} ${m.unit}\tcount ${m.count}\tband ${m.band ?? '-'}`,
          );
        }
      });
      return 0;
    }
    if (group === 'metrics' && command === 'prs') {
      const answer = (await call('GET', `/api/v1/metrics/pull-requests?${scope()}`)) as Record<
        string,
        { median_hours: number | null; p75_hours: number | null; count: number }
      > & { count: number };
      print(answer, () => {
        io.out(`pull requests merged: ${answer.count}`);
        for (const phase of ['coding', 'pickup', 'review', 'deploy']) {
          const p = answer[phase];
          io.out(
            `${phase}\tmedian ${fmt(p?.median_hours)} h\tp75 ${fmt(p?.p75_hours)} h\tcount ${p?.count ?? 0}`,
          );
        }
      });
      return 0;
    }
    if (group === 'metrics' && command === 'flow') {
      const answer = (await call('GET', `/api/v1/metrics/flow?${scope()}`)) as {
        count: number;
        cycle_time: { median_hours: number | null; p75_hours: number | null };
        lead_time: { median_hours: number | null; p75_hours: number | null };
        flow_efficiency: { value: number | null };
        throughput: Array<{ week: string; count: number }>;
      };
      print(answer, () => {
        io.out(`issues done: ${answer.count}`);
        io.out(
          `cycle time\tmedian ${fmt(answer.cycle_time.median_hours)} h\tp75 ${fmt(answer.cycle_time.p75_hours)} h`,
        );
        io.out(
          `lead time\tmedian ${fmt(answer.lead_time.median_hours)} h\tp75 ${fmt(answer.lead_time.p75_hours)} h`,
        );
        io.out(`flow efficiency\t${fmt(answer.flow_efficiency.value, 3)}`);
        for (const w of answer.throughput.filter((x) => x.count > 0))
          io.out(`throughput ${w.week}\t${w.count}`);
      });
      return 0;
    }
    if (group === 'metrics' && command === 'items') {
      const which = rest[0] ?? '';
      const path =
        which === 'prs'
          ? '/api/v1/metrics/pull-requests/items'
          : which === 'flow'
            ? '/api/v1/metrics/flow/items'
            : which.startsWith('dora/')
              ? `/api/v1/metrics/dora/${which.slice(5)}/items`
              : null;
      if (!path) throw new UsageError('items needs dora/KEY, prs or flow');
      io.out(JSON.stringify(await call('GET', `${path}?${scope()}`), null, 2));
      return 0;
    }
    if (group === 'flow' && command === 'steps') {
      const [action, arg] = rest;
      if (action === 'list') {
        const answer = (await call('GET', '/api/v1/flow/steps')) as { steps: FlowStep[] };
        print(answer, () => {
          if (answer.steps.length === 0)
            io.out('no flow steps (create some, or run: tributary flow auto-map)');
          for (const s of answer.steps)
            io.out(
              `${s.id}\t${s.position}\t${s.name}\t${s.category}${s.kind ? `/${s.kind}` : ''}${s.active ? '' : '\tinactive'}`,
            );
        });
        return 0;
      }
      if (action === 'add') {
        if (!arg || !values.category) throw new UsageError('steps add needs NAME and --category');
        const answer = (await call('POST', '/api/v1/flow/steps', {
          name: arg,
          category: values.category,
          ...(values.kind ? { kind: values.kind } : {}),
          ...(values.position ? { position: Number(values.position) } : {}),
          active: !values.inactive,
        })) as { id: number; position: number };
        print(answer, () => io.out(`step ${answer.id} created at position ${answer.position}`));
        return 0;
      }
      if (action === 'delete') {
        const stepId = positiveId(arg, 'ID');
        const target = positiveId(values['reassign-to'], '--reassign-to');
        const answer = (await call(
          'DELETE',
          `/api/v1/flow/steps/${stepId}?reassign_to=${target}&dry_run=${values['dry-run']}`,
        )) as {
          dry_run: boolean;
          mappings_affected: number;
          issues_affected: number;
        };
        print(answer, () =>
          io.out(
            `${answer.dry_run ? 'would move' : 'moved'} ${answer.mappings_affected} mappings and ${answer.issues_affected} issues to step ${target}${answer.dry_run ? ' (dry run, nothing changed)' : `; step ${stepId} deleted`}`,
          ),
        );
        return 0;
      }
    }
    if (group === 'flow' && command === 'mappings') {
      const [action] = rest;
      if (action === 'list') {
        const answer = (await call('GET', '/api/v1/flow/mappings')) as { mappings: StatusMapping[] };
        print(answer, () => {
          for (const m of answer.mappings)
            io.out(
              `${m.id}\tintegration ${m.integration_id}\t${m.source_status}${m.issue_type ? ` (${m.issue_type})` : ''}\t→ step ${m.flow_step_id}${m.active ? '' : '\tinactive'}`,
            );
        });
        return 0;
      }
      if (action === 'add') {
        if (!values.status) throw new UsageError('mappings add needs --status');
        const answer = (await call('POST', '/api/v1/flow/mappings', {
          integration_id: positiveId(values.integration?.[0], '--integration'),
          source_status: values.status,
          flow_step_id: positiveId(values.step, '--step'),
          ...(values['issue-type'] ? { issue_type: values['issue-type'] } : {}),
        })) as { id: number };
        print(answer, () => io.out(`mapping ${answer.id} created`));
        return 0;
      }
    }
    if (group === 'flow' && command === 'unmapped') {
      const integration = values.integration?.[0];
      const answer = (await call(
        'GET',
        `/api/v1/flow/unmapped${integration ? `?integration_id=${positiveId(integration, '--integration')}` : ''}`,
      )) as {
        statuses: Array<{
          integration_id: number;
          status: string;
          category_key: string | null;
          issues: number;
        }>;
      };
      print(answer, () => {
        if (answer.statuses.length === 0) io.out('every status is mapped');
        for (const s of answer.statuses)
          io.out(
            `integration ${s.integration_id}\t${s.status}\t${s.category_key ?? '-'}\t${s.issues} issues`,
          );
      });
      return 0;
    }
    if (group === 'flow' && command === 'auto-map') {
      const integration = values.integration?.[0];
      const answer = (await call(
        'POST',
        '/api/v1/flow/auto-map',
        integration ? { integration_id: positiveId(integration, '--integration') } : {},
      )) as {
        created_steps: unknown[];
        created_mappings: unknown[];
        left_unmapped: Array<{ status: string }>;
      };
      print(answer, () => {
        io.out(`created ${answer.created_steps.length} steps and ${answer.created_mappings.length} mappings`);
        if (answer.left_unmapped.length > 0)
          io.out(`left unmapped (no Jira category): ${answer.left_unmapped.map((s) => s.status).join(', ')}`);
      });
      return 0;
    }
    if (group === 'flow' && command === 'issue') {
      const integration = positiveId(rest[0], 'INTEGRATION_ID');
      const key = rest[1];
      if (!key || (values.active !== 'true' && values.active !== 'false'))
        throw new UsageError('issue needs INTEGRATION_ID KEY --active true|false');
      const answer = (await call('PATCH', `/api/v1/flow/issues/${integration}/${encodeURIComponent(key)}`, {
        active: values.active === 'true',
      })) as { key: string; active: boolean };
      print(answer, () => io.out(`${answer.key} ${answer.active ? 'active' : 'inactive'}`));
      return 0;
    }
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  } catch (error) {
    return failure(error, ANALYTICS_USAGE, io.err);
  }
}

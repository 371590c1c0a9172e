import { readFile } from 'node:fs/promises';
import { watchJob, watchedJobSchema, type WatchIo } from './watch.ts';
import { errorMessage } from '@tributary/contracts';
import { positiveId, UsageError } from './command-line.ts';

export const DAILY_USAGE = `  tributary integrations list
  tributary integrations show ID
  tributary integrations create --type jira|github --name NAME --base-url URL --credentials JSON --config JSON [--schedule CRON]
  tributary integrations create --file BODY.json          (the POST /api/v1/integrations body)
  tributary integrations test ID…
  tributary integrations enable ID… | disable ID…
  tributary integrations run ID [--full] [--stream NAME…] [--watch]
  tributary jobs pause ID… | resume ID… | cancel ID…
  tributary jobs watch ID                                  (live per-stream progress until the job ends)`;

export interface DailyContext {
  group: string | undefined;
  command: string | undefined;
  rest: string[];
  values: {
    json: boolean;
    type?: string | undefined;
    name?: string | undefined;
    'base-url'?: string | undefined;
    credentials?: string | undefined;
    config?: string | undefined;
    schedule?: string | undefined;
    file?: string | undefined;
    full: boolean;
    stream?: string[] | undefined;
    watch: boolean;
    interval?: string | undefined;
  };
  call: (method: string, path: string, body?: unknown) => Promise<unknown>;
  out: (line: string) => void;
  err: (line: string) => void;
  watchIo: WatchIo;
}

const ids = (rest: string[]): number[] => {
  if (rest.length === 0) throw new UsageError('give one or more IDs');
  return rest.map((value) => positiveId(value, 'ID'));
};

const parseJson = (text: string, flag: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} is not JSON: ${errorMessage(error)}`);
  }
};

interface IntegrationView {
  id: number;
  type: string;
  name: string;
  base_url: string;
  enabled: boolean;
  schedule: string | null;
  last_test: { ok: boolean; at: string; error: string | null } | null;
}

/**
 * Runs each id through `action`; an id that fails is reported and the others still
 * run. Exit code 1 when any failed.
 */
async function eachId(
  ctx: DailyContext,
  list: number[],
  action: (id: number) => Promise<string>,
): Promise<number> {
  let failed = 0;
  for (const id of list) {
    try {
      ctx.out(await action(id));
    } catch (error) {
      failed += 1;
      ctx.err(`${id}: ${errorMessage(error)}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

/** The integration and daily job commands; undefined when the command is not one of them. */
export async function runDailyCommand(ctx: DailyContext): Promise<number | undefined> {
  const { group, command, rest, values, call, out } = ctx;
  const json = (answer: unknown) => out(JSON.stringify(answer, null, 2));
  const watch = async (jobId: number) => {
    const intervalMs = values.interval ? positiveId(values.interval, '--interval') : 1000;
    const job = await watchJob(
      async () => watchedJobSchema.parse(await call('GET', `/api/v1/jobs/${jobId}`)),
      ctx.watchIo,
      intervalMs,
    );
    if (values.json) json(job);
    return job.status === 'FINISHED' ? 0 : 1;
  };

  if (group === 'integrations') {
    switch (command) {
      case 'list': {
        const answer = (await call('GET', '/api/v1/integrations?limit=500')) as {
          integrations: IntegrationView[];
        };
        if (values.json) json(answer);
        else if (answer.integrations.length === 0) out('no integrations');
        else
          for (const i of answer.integrations) {
            const test = i.last_test
              ? i.last_test.ok
                ? 'test ok'
                : `test failed: ${i.last_test.error ?? ''}`
              : 'never tested';
            out(
              `${i.id}\t${i.type}\t${i.name}\t${i.enabled ? 'enabled' : 'disabled'}\t${i.schedule ?? 'no schedule'}\t${i.base_url}\t${test}`,
            );
          }
        return 0;
      }
      case 'show':
        json(await call('GET', `/api/v1/integrations/${positiveId(rest[0], 'ID')}`));
        return 0;
      case 'create': {
        let body: unknown;
        if (values.file) body = parseJson(await readFile(values.file, 'utf8'), '--file');
        else {
          if (!values.type || !values.name || !values['base-url'] || !values.credentials || !values.config) {
            throw new UsageError(
              'create needs --type, --name, --base-url, --credentials and --config (or --file)',
            );
          }
          body = {
            type: values.type.toLowerCase(),
            name: values.name,
            base_url: values['base-url'],
            credentials: parseJson(values.credentials, '--credentials'),
            config: parseJson(values.config, '--config'),
            ...(values.schedule ? { schedule: values.schedule } : {}),
          };
        }
        const created = (await call('POST', '/api/v1/integrations', body)) as IntegrationView;
        if (values.json) json(created);
        else
          out(
            `created integration ${created.id} (${created.type}, disabled): test it with \`tributary integrations test ${created.id}\`, then enable it`,
          );
        return 0;
      }
      case 'test':
        return eachId(ctx, ids(rest), async (id) => {
          const result = (await call('POST', `/api/v1/integrations/${id}/test`)) as {
            ok: boolean;
            error: string | null;
            code?: string | null;
          };
          if (values.json) return JSON.stringify({ id, ...result });
          if (!result.ok)
            throw new Error(
              `connection test failed${result.code ? ` [${result.code}]` : ''}: ${result.error ?? ''}`,
            );
          return `${id}: connection test passed`;
        });
      case 'enable':
      case 'disable':
        return eachId(ctx, ids(rest), async (id) => {
          const row = (await call('PATCH', `/api/v1/integrations/${id}`, {
            enabled: command === 'enable',
          })) as IntegrationView;
          return values.json ? JSON.stringify(row) : `${id}: ${row.enabled ? 'enabled' : 'disabled'}`;
        });
      case 'run': {
        const id = positiveId(rest[0], 'ID');
        const answer = (await call('POST', `/api/v1/integrations/${id}/runs`, {
          mode: values.full ? 'full' : 'incremental',
          ...(values.stream ? { streams: values.stream } : {}),
        })) as { job_id: number };
        if (!values.watch) {
          if (values.json) json(answer);
          else out(`run queued: job ${answer.job_id}`);
          return 0;
        }
        return watch(answer.job_id);
      }
      default:
        throw new UsageError(`unknown command: integrations ${command ?? ''}`);
    }
  }

  if (group === 'jobs' && (command === 'pause' || command === 'resume' || command === 'cancel')) {
    return eachId(ctx, ids(rest), async (id) => {
      const job = (await call('POST', `/api/v1/jobs/${id}/${command}`)) as {
        status: string;
        cancel_requested?: boolean;
      };
      if (values.json) return JSON.stringify(job);
      return `${id}: ${job.status}${command === 'cancel' && job.status === 'RUNNING' ? ' (cancel requested; it stops before its next request)' : ''}`;
    });
  }
  if (group === 'jobs' && command === 'watch') return watch(positiveId(rest[0], 'ID'));
  return undefined;
}

import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from './api-connection.ts';
import { failure, parseCommandLine, positiveId, UsageError } from './command-line.ts';
import { runSecurityCommand, SECURITY_USAGE } from './security-commands.ts';
import { runAnalyticsCli } from './analytics-cli.ts';
import { DAILY_USAGE, runDailyCommand } from './daily-commands.ts';
import type { WatchIo } from './watch.ts';
import { jobDetail, jobLine, jobListSchema, jobSchema } from './job-view.ts';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  /** For `watch`: raw terminal output when stdout is a terminal (redrawn in place), a clock and a sleep. */
  write?: (text: string) => void;
  sleep?: (ms: number) => Promise<unknown>;
  now?: () => number;
}

const USAGE = `tributary — the Tributary command line

Usage:
  tributary dead-letters list [--entity-type T] [--integration ID] [--reason TEXT] [--status dead|replayed|discarded] [--since ISO] [--limit N]
  tributary dead-letters show ID
  tributary dead-letters replay ID [ID…]
  tributary dead-letters replay --filter [--entity-type T] [--integration ID] [--reason TEXT] [--since ISO]
  tributary dead-letters replay --all
  tributary dead-letters discard ID
  tributary jobs list [--status pending|running|paused|finished|failed|cancelled] [--integration ID]
                     (records seen, and of them new / unchanged / failed, then transformed)
  tributary jobs show ID   (the same per stream and entity type)
${DAILY_USAGE}
  tributary run INTEGRATION_ID [--full] [--stream NAME…] [--watch]   (same as integrations run)
${SECURITY_USAGE}
  tributary metrics dora|prs|flow|items …, tributary flow steps|mappings|unmapped|auto-map|issue …  (see: tributary metrics --help)

Options:
  --url URL          backend URL (env TRIBUTARY_URL, default http://127.0.0.1:8080)
  --token TOKEN      a tenant's token (env TRIBUTARY_TOKEN); dead-letter commands also take the admin token
  --token-file PATH  read the token from a file (env TRIBUTARY_TOKEN_FILE), e.g. one kept with mode 600
  --json             print the JSON answers
Values of --status and --type are not case-sensitive. Exit codes: 0 done, 1 the API refused or
any of the given IDs failed (or a watched job did not finish), 2 a mistake in the command line.
`;

/** Runs one command line; returns the process exit code (0 ok, 1 API error, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // The analytics commands parse their own options (analytics-cli.ts).
  if (argv[0] === 'metrics' || argv[0] === 'flow') return runAnalyticsCli(argv, io);
  const parsed = parseCommandLine(
    argv,
    {
      help: { type: 'boolean', short: 'h', default: false },
      'entity-type': { type: 'string' },
      integration: { type: 'string' },
      reason: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      filter: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      stream: { type: 'string', multiple: true },
      type: { type: 'string' },
      name: { type: 'string' },
      'base-url': { type: 'string' },
      credentials: { type: 'string' },
      config: { type: 'string' },
      schedule: { type: 'string' },
      file: { type: 'string' },
      watch: { type: 'boolean', default: false },
      interval: { type: 'string' },
    },
    USAGE,
    io.err,
  );
  if (!parsed) return 2;
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const call = connect(values, io);
  if (!call) return 2;
  const query = (entries: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(entries)) if (value !== undefined) params.set(key, value);
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  const print = (answer: unknown, table?: () => void) => {
    if (values.json || !table) io.out(JSON.stringify(answer, null, 2));
    else table();
  };

  try {
    const [group, command, ...rest] = positionals;
    if (group === 'dead-letters' && command === 'list') {
      const answer = (await call(
        'GET',
        `/api/v1/dead-letters${query({
          entity_type: values['entity-type'],
          integration_id: values.integration,
          reason: values.reason,
          status: values.status?.toLowerCase(),
          since: values.since,
          limit: values.limit,
        })}`,
      )) as {
        dead_letters: {
          id: number;
          status: string;
          entity_type: string | null;
          attempts: number;
          dead_lettered_at: string;
          reason: string;
        }[];
      };
      print(answer, () => {
        if (answer.dead_letters.length === 0) io.out('no dead letters');
        for (const d of answer.dead_letters) {
          io.out(
            `${d.id}\t${d.status}\t${d.entity_type ?? '-'}\t${d.attempts} attempts\t${d.dead_lettered_at}\t${d.reason}`,
          );
        }
      });
      return 0;
    }
    if (group === 'dead-letters' && command === 'show') {
      print(await call('GET', `/api/v1/dead-letters/${positiveId(rest[0], 'ID')}`));
      return 0;
    }
    if (group === 'dead-letters' && command === 'replay') {
      let body: unknown;
      if (values.all) body = { all: true };
      else if (values.filter) {
        body = {
          filter: {
            ...(values['entity-type'] ? { entity_type: values['entity-type'] } : {}),
            ...(values.integration
              ? { integration_id: positiveId(values.integration, '--integration') }
              : {}),
            ...(values.reason ? { reason: values.reason } : {}),
            ...(values.since ? { since: values.since } : {}),
          },
        };
      } else {
        if (rest.length === 0) throw new UsageError('replay needs IDs, --filter or --all');
        body = { ids: rest.map((value) => positiveId(value, 'ID')) };
      }
      const answer = (await call('POST', '/api/v1/dead-letters/replay', body)) as {
        replayed: number[];
        skipped: { id: number; reason: string }[];
      };
      print(answer, () => {
        io.out(`replayed ${answer.replayed.length}: ${answer.replayed.join(', ') || '-'}`);
        for (const s of answer.skipped) io.out(`skipped ${s.id}: ${s.reason}`);
      });
      // An id that does not exist or could not be sent is a failure; one already replayed is not.
      return answer.skipped.some((s) => s.reason === 'not found' || s.reason.startsWith('not replayed'))
        ? 1
        : 0;
    }
    if (group === 'dead-letters' && command === 'discard') {
      await call('DELETE', `/api/v1/dead-letters/${positiveId(rest[0], 'ID')}`);
      io.out(`discarded ${rest[0]}`);
      return 0;
    }
    if (group === 'jobs' && command === 'list') {
      const answer = await call(
        'GET',
        `/api/v1/jobs${query({ status: values.status?.toUpperCase(), integration_id: values.integration })}`,
      );
      print(answer, () => {
        for (const j of jobListSchema.parse(answer).jobs) io.out(jobLine(j));
      });
      return 0;
    }
    if (group === 'jobs' && command === 'show') {
      const answer = await call('GET', `/api/v1/jobs/${positiveId(rest[0], 'ID')}`);
      print(answer, () => {
        for (const line of jobDetail(jobSchema.parse(answer))) io.out(line);
      });
      return 0;
    }
    const security = await runSecurityCommand({
      group,
      command,
      rest,
      reason: values.reason,
      json: values.json,
      call,
      out: io.out,
    });
    if (security !== undefined) return security;
    const watchIo: WatchIo = {
      out: io.out,
      ...(io.write ? { write: io.write } : {}),
      sleep: io.sleep ?? ((ms) => sleep(ms)),
      now: io.now ?? Date.now,
    };
    const daily = await runDailyCommand({
      group: group === 'run' ? 'integrations' : group,
      command: group === 'run' ? 'run' : command,
      rest: group === 'run' ? [command ?? '', ...rest].filter(Boolean) : rest,
      values,
      call,
      out: io.out,
      err: io.err,
      watchIo,
    });
    if (daily !== undefined) return daily;
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  } catch (error) {
    return failure(error, USAGE, io.err);
  }
}

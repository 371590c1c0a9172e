import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBackend, type TestBackend } from '../../../tests/support/backend.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.ts';

let backend: TestBackend;
let url: string;
let token: string;
let jira: number;

beforeAll(async () => {
  backend = await startTestBackend();
  url = await backend.app.listen({ port: 0, host: '127.0.0.1' });
  token = (await backend.createTenant()).token;
  jira = await backend.createIntegration(token, 'jira');
});
afterAll(async () => backend.close());

async function cli(...args: string[]) {
  return cliWith({ TRIBUTARY_URL: url, TRIBUTARY_TOKEN: token }, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    fetch,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tributary flow and metrics commands', () => {
  it('take the token from a file like every other command, and say when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-cli-'));
    try {
      const file = join(dir, 'token');
      await writeFile(file, `${token}\n`, { mode: 0o600 });
      expect(
        await cliWith({ TRIBUTARY_URL: url, TRIBUTARY_TOKEN_FILE: file }, 'flow', 'unmapped'),
      ).toMatchObject({ code: 0 });
      expect(await cliWith({ TRIBUTARY_URL: url }, 'flow', 'unmapped', '--token-file', file)).toMatchObject({
        code: 0,
      });
      expect(await cliWith({ TRIBUTARY_URL: url }, 'flow', 'unmapped')).toMatchObject({
        code: 2,
        err: 'a token is required: --token, --token-file, TRIBUTARY_TOKEN or TRIBUTARY_TOKEN_FILE',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('manages flow steps and mappings, with a dry-run delete that changes nothing', async () => {
    expect((await cli('flow', 'steps', 'list')).out).toContain('no flow steps');
    const added = await cli('flow', 'steps', 'add', 'To Do', '--category', 'todo');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/created at position 0/);
    await cli('flow', 'steps', 'add', 'Doing', '--category', 'in_progress');
    await cli('flow', 'steps', 'add', 'Review', '--category', 'in_progress', '--kind', 'waiting');
    const bad = await cli('flow', 'steps', 'add', 'Early', '--category', 'todo', '--position', '9');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('step "Early" (todo, position 9) comes after in_progress step');

    const listed = await cli('flow', 'steps', 'list');
    expect(listed.out.split('\n').map((l) => l.split('\t').slice(1).join(' '))).toEqual([
      '0 To Do todo',
      '1 Doing in_progress/active',
      '2 Review in_progress/waiting',
    ]);
    const [doingId, reviewId] = listed.out
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]!);
    expect(
      (
        await cli(
          'flow',
          'mappings',
          'add',
          '--integration',
          String(jira),
          '--status',
          'In Progress',
          '--step',
          doingId!,
        )
      ).code,
    ).toBe(0);
    expect((await cli('flow', 'mappings', 'list')).out).toContain('In Progress\t→ step');

    const dry = await cli('flow', 'steps', 'delete', doingId!, '--reassign-to', reviewId!, '--dry-run');
    expect(dry.out).toBe(`would move 1 mappings and 0 issues to step ${reviewId} (dry run, nothing changed)`);
    expect((await cli('flow', 'steps', 'list')).out).toContain('Doing');
    const missing = await cli('flow', 'steps', 'delete', doingId!);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--reassign-to must be a positive integer');
    expect((await cli('flow', 'steps', 'delete', doingId!, '--reassign-to', reviewId!)).out).toContain(
      `step ${doingId} deleted`,
    );
    expect((await cli('flow', 'steps', 'list')).out).not.toContain('Doing');
  });

  it('prints the DORA metrics, PR phases and flow metrics of a range', async () => {
    const dora = await cli('metrics', 'dora', '--from', '2026-01-01', '--to', '2026-02-01');
    expect(dora.code).toBe(0);
    expect(dora.out.split('\n').map((l) => l.split('\t')[0])).toEqual([
      'deployment_frequency',
      'change_lead_time',
      'change_fail_rate',
      'failed_deployment_recovery_time',
      'deployment_rework_rate',
    ]);
    expect(dora.out).toContain('deployment_frequency\t- deployments/day\tcount 0\tband -');
    expect((await cli('metrics', 'prs', '--from', '2026-01-01', '--to', '2026-02-01')).out).toContain(
      'pull requests merged: 0',
    );
    expect((await cli('metrics', 'flow', '--from', '2026-01-01', '--to', '2026-02-01')).out).toContain(
      'issues done: 0',
    );
    const noRange = await cli('metrics', 'dora');
    expect(noRange.code).toBe(2);
    expect(noRange.err).toContain('--from and --to are required');
    const reversed = await cli('metrics', 'dora', '--from', '2026-02-01', '--to', '2026-01-01');
    expect(reversed.code).toBe(1);
    expect(reversed.err).toContain('to must be after from');
  });
});

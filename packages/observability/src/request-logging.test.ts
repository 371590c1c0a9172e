import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { quietLogController, registerRequestLogging } from './request-logging.ts';

async function accessLines(level: string): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // A pino Logger is a FastifyBaseLogger; the annotation keeps the app's default generic type.
  const app: FastifyInstance = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: pino({ level }, sink) as FastifyBaseLogger,
    logController: quietLogController(),
  });
  registerRequestLogging(app);
  app.get('/api/v1/jobs', async () => ({ jobs: [] }));
  app.post('/internal/v1/jobs/:id/heartbeat', async () => ({ status: 'RUNNING' }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.inject('/api/v1/jobs?access_token=secret-in-the-query');
  await app.inject({ method: 'POST', url: '/internal/v1/jobs/1/heartbeat' });
  await app.inject('/healthz');
  await app.close();
  return lines.map((line) => (JSON.parse(line) as { req?: { url: string } }).req?.url ?? '').filter(Boolean);
}

describe('access logs', () => {
  it('one line per API request at info; internal and health routes only at debug', async () => {
    expect(await accessLines('info')).toEqual(['/api/v1/jobs']);
    expect(await accessLines('debug')).toEqual(['/api/v1/jobs', '/internal/v1/jobs/1/heartbeat', '/healthz']);
  });

  it('LOG_FORMAT=pretty writes readable lines for a terminal; JSON otherwise', () => {
    const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
    const script = `import { createLogger } from ${JSON.stringify(logger)}; const log = createLogger('demo'); log.info({ jobId: 7 }, 'run queued'); log.flush?.();`;
    const run = (format: string | undefined) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          ...process.env,
          LOG_LEVEL: 'info',
          ...(format ? { LOG_FORMAT: format } : { LOG_FORMAT: '' }),
          NO_COLOR: '1',
        },
        encoding: 'utf8',
      }).stdout;
    const json = run(undefined);
    expect(JSON.parse(json.trim())).toMatchObject({ level: 30, name: 'demo', jobId: 7, msg: 'run queued' });
    const pretty = run('pretty');
    expect(pretty).toMatch(/INFO.*\(demo\): run queued/);
    expect(pretty).toContain('jobId: 7');
    expect(() => JSON.parse(pretty.trim()) as unknown).toThrow();
  });
});

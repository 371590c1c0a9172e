// Helpers for tests (here and in other packages) that run the simulator in-process.
import type { FastifyInstance } from 'fastify';
import { buildSimulator } from './app.ts';
import type { SimulatorConfig } from './config.ts';

export interface RunningSimulator {
  app: FastifyInstance;
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  jiraAuth: string;
  githubAuth: string;
  /** fetch against the Jira API with valid credentials. */
  jira(path: string, init?: RequestInit): Promise<Response>;
  /** fetch against the GitHub API with a valid token. */
  github(path: string, init?: RequestInit): Promise<Response>;
  /** fetch a `/_sim/*` control route; JSON bodies are encoded for you. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startSimulator(
  config: SimulatorConfig = {},
  /** Runs on the app before its routes load (e.g. an `onRoute` hook that lists them). */
  beforeListen?: (app: FastifyInstance) => void,
): Promise<RunningSimulator> {
  const app = buildSimulator(config);
  beforeListen?.(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('simulator has no TCP address');
  const url = `http://127.0.0.1:${addr.port}`;
  const cred = config.jira?.credentials?.[0] ?? { email: 'sim@example.com', apiToken: 'sim-token' };
  const jiraAuth = `Basic ${Buffer.from(`${cred.email}:${cred.apiToken}`).toString('base64')}`;
  const githubAuth = `Bearer ${config.github?.tokens?.[0] ?? 'sim-github-token'}`;
  const withAuth =
    (auth: string) =>
    (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', auth);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(url + path, { ...init, headers });
    };
  return {
    app,
    url,
    jiraAuth,
    githubAuth,
    jira: withAuth(jiraAuth),
    github: withAuth(githubAuth),
    async control<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    close: () => app.close(),
  };
}

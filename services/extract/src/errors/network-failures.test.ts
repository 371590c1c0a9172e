import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { createBreakerRegistry } from '@tributary/resilience';
import { freePort } from '../../../../scripts/stack.ts';
import { buildSourceClient, createConnector, type ConnectorIntegration } from '../connectors/index.ts';
import type { IntegrationWithCredentials } from '../backend-client.ts';
import { simulatorGuard } from '../http/testing.ts';
import { classifyJobFailure } from './job-failure.ts';

// What a failed job says when the source cannot be reached at all, told apart by cause, through
// the same path a run takes: connector → source client → outbound guard (private addresses allowed,
// as ALLOW_PRIVATE_INTEGRATION_HOSTS does for the simulator) → real sockets.
const TOKEN = 'ghp_NeverInAMessage0123456789abcdef';
const registry = createBreakerRegistry();
let selfSigned: TlsServer;
let silent: Server;
let tlsPort: number;
let silentPort: number;
const held: Socket[] = [];

beforeAll(async () => {
  // A certificate no CA signed (a fixture made with openssl, valid for 100 years, CN=localhost).
  selfSigned = createTlsServer(
    {
      key: readFileSync(new URL('./fixtures/self-signed.key', import.meta.url)),
      cert: readFileSync(new URL('./fixtures/self-signed.crt', import.meta.url)),
    },
    (_req, res) => res.end('{}'),
  );
  // Accepts the connection and never says a word.
  silent = createTcpServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => selfSigned.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  tlsPort = (selfSigned.address() as { port: number }).port;
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(() => {
  selfSigned.close();
  for (const socket of held) socket.destroy();
  silent.close();
  registry.shutdown();
});

/** Runs the connection test of a GitHub integration at `baseUrl` and returns what its failed job would say. */
async function failureAt(baseUrl: string, id: number) {
  const integration: ConnectorIntegration = {
    type: 'github',
    id,
    baseUrl,
    credentials: { token: TOKEN },
    config: { repositories: ['acme/one'], api: 'rest' },
  };
  const client = buildSourceClient(integration, {
    registry,
    guard: simulatorGuard,
    retry: { retries: 0, baseMs: 1, capMs: 1 },
    attemptTimeoutMs: 500,
  });
  const row: IntegrationWithCredentials = {
    id,
    tenant_id: 1,
    type: 'github',
    name: 'acme',
    base_url: baseUrl,
    credentials: { token: TOKEN },
    config: {},
  };
  try {
    await createConnector(integration, client).testConnection();
  } catch (error) {
    const failure = classifyJobFailure(error, row);
    expect(failure.message).not.toContain(TOKEN);
    return failure;
  }
  throw new Error(`the connection test against ${baseUrl} passed`);
}

describe('a source that cannot be reached: the failed job says why, naming the host', () => {
  it('DNS: a name that cannot exist (.invalid)', async () => {
    const failure = await failureAt('https://api.tributary-test.invalid', 301);
    expect(failure).toMatchObject({ code: 'SOURCE_UNREACHABLE', retryable: true });
    expect(failure.message).toMatch(
      /^github: DNS lookup of api\.tributary-test\.invalid failed \((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  it('connection refused: a closed local port', async () => {
    const port = await freePort();
    const failure = await failureAt(`http://127.0.0.1:${port}`, 302);
    expect(failure).toMatchObject({ code: 'SOURCE_UNREACHABLE', retryable: true });
    expect(failure.message).toMatch(
      new RegExp(`^github: connection to 127\\.0\\.0\\.1:${port} refused \\(ECONNREFUSED\\)`),
    );
  });

  it('TLS: a server whose certificate no authority signed', async () => {
    const failure = await failureAt(`https://127.0.0.1:${tlsPort}`, 303);
    expect(failure).toMatchObject({ code: 'SOURCE_UNREACHABLE', retryable: true });
    expect(failure.message).toMatch(
      new RegExp(
        `^github: TLS handshake with 127\\.0\\.0\\.1:${tlsPort} failed \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\\): self-signed certificate$`,
      ),
    );
  });

  it('timeout: a server that accepts and never answers', async () => {
    const failure = await failureAt(`http://127.0.0.1:${silentPort}`, 304);
    expect(failure).toMatchObject({ code: 'SOURCE_UNREACHABLE', retryable: true });
    expect(failure.message).toMatch(
      new RegExp(`^github: 127\\.0\\.0\\.1:${silentPort} did not answer in time`),
    );
  });
});

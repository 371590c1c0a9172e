// The low findings: a wrong key started fine and failed only at use; weak keys and equal tokens
// were accepted; nothing re-encrypted after a key rotation; the associated data did not bind the
// integration; authentication had no rate limit; a tenant token could not be revoked or rotated.
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '@tributary/backend';
import { runCli } from '@tributary/cli';
import { createLogger } from '@tributary/observability';
import { ADMIN_TOKEN, bearer, startTestBackend, testEnv, type TestBackend } from '../support/backend.ts';
import {
  CredentialsCipher,
  CredentialsUnreadableError,
  keyIdOf,
} from '../../services/backend/src/security/credentials-cipher.ts';
import { verifyEncryptionKeys } from '../../services/backend/src/security/key-check.ts';

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const idOf = (key: string) => keyIdOf(Buffer.from(key, 'base64'));

let backend: TestBackend;
let tenant: { id: number; token: string };

beforeAll(async () => {
  backend = await startTestBackend({ TRIBUTARY_ENCRYPTION_KEY: OLD_KEY, SCHEDULER_ENABLED: 'false' });
  tenant = await backend.createTenant();
});
afterAll(async () => backend.close());

async function cli(url: string, token: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { TRIBUTARY_URL: url, TRIBUTARY_TOKEN: token },
    fetch,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A version-1 envelope (tenant-only associated data), as rows written before this change are. */
function sealV1(key: string, tenantId: number, credentials: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  cipher.setAAD(Buffer.from(`tenant:${tenantId}`));
  const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

describe('keys', () => {
  it('weak keys are refused at start, naming the variable', () => {
    const env = testEnv('postgres://x@127.0.0.1/x');
    for (const key of [
      Buffer.alloc(32).toString('base64'),
      Buffer.alloc(32, 'a').toString('base64'),
      Buffer.from('abcd'.repeat(8)).toString('base64'),
    ]) {
      expect(() => loadConfig({ ...env, TRIBUTARY_ENCRYPTION_KEY: key })).toThrow(
        /TRIBUTARY_ENCRYPTION_KEY: is a weak key/,
      );
      expect(() => loadConfig({ ...env, TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS: key })).toThrow(
        /TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS/,
      );
    }
  });

  it('the integration id is bound: credentials copied to another integration of the tenant do not open', () => {
    const cipher = new CredentialsCipher(NEW_KEY);
    const sealed = cipher.seal(tenant.id, 1, { token: 'abc' });
    expect(cipher.open(tenant.id, 1, sealed)).toEqual({ token: 'abc' });
    expect(() => cipher.open(tenant.id, 2, sealed)).toThrow(CredentialsUnreadableError);
    expect(() => cipher.open(tenant.id + 1, 1, sealed)).toThrow(CredentialsUnreadableError);
  });

  it('a start with a key that cannot open stored credentials is refused naming the key id; rotate re-encrypts old rows', async () => {
    const current = await backend.createIntegration(tenant.token, 'github', {
      credentials: { token: 'current-envelope' },
    });
    const legacy = await backend.createIntegration(tenant.token, 'github', { name: 'legacy' });
    await backend.pool.query('update integrations set credentials_encrypted = $2 where id = $1', [
      legacy,
      sealV1(OLD_KEY, tenant.id, { token: 'v1-envelope' }),
    ]);

    // The operator rotated the key but forgot the old one: refused at start, naming it.
    await expect(verifyEncryptionKeys(backend.pool, new CredentialsCipher(NEW_KEY))).rejects.toThrow(
      new RegExp(`encryption key ${idOf(OLD_KEY)} cannot open stored credentials`),
    );
    // With the old key kept as a previous key it starts, and `tributary keys rotate` moves every row.
    const rotated: FastifyInstance = await buildApp(
      loadConfig(
        testEnv(backend.database.url, {
          TRIBUTARY_ENCRYPTION_KEY: NEW_KEY,
          TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS: OLD_KEY,
          QUEUE_PREFIX: backend.config.QUEUE_PREFIX,
          SCHEDULER_ENABLED: 'false',
        }),
      ),
      { logger: createLogger('test', { level: 'silent' }) },
    );
    try {
      await verifyEncryptionKeys(backend.pool, new CredentialsCipher(NEW_KEY, [OLD_KEY]));
      const url = await rotated.listen({ port: 0, host: '127.0.0.1' });
      const run = await cli(url, ADMIN_TOKEN, 'keys', 'rotate');
      expect(run).toMatchObject({
        code: 0,
        out: `re-encrypted 2 credentials with key ${idOf(NEW_KEY)} (0 already current)`,
      });
      expect((await cli(url, ADMIN_TOKEN, 'keys', 'rotate')).out).toBe(
        `re-encrypted 0 credentials with key ${idOf(NEW_KEY)} (2 already current)`,
      );
    } finally {
      await rotated.close();
    }
    // The old key can go now.
    const onlyNew = new CredentialsCipher(NEW_KEY);
    await verifyEncryptionKeys(backend.pool, onlyNew);
    const { rows } = await backend.pool.query<{
      id: string;
      credentials_encrypted: string;
      credentials_key_id: string;
    }>(
      'select id, credentials_encrypted, credentials_key_id from integrations where id = any($1) order by id',
      [[current, legacy]],
    );
    expect(rows.map((r) => [r.credentials_key_id, r.credentials_encrypted.slice(0, 3)])).toEqual([
      [idOf(NEW_KEY), 'v2:'],
      [idOf(NEW_KEY), 'v2:'],
    ]);
    expect(
      rows.map((r) =>
        onlyNew.open(tenant.id, Number(r.id), {
          ciphertext: r.credentials_encrypted,
          keyId: r.credentials_key_id,
        }),
      ),
    ).toEqual([{ token: 'current-envelope' }, { token: 'v1-envelope' }]);
  });
});

describe('tenant tokens', () => {
  it('can be rotated and revoked by the operator (API and CLI); the old token stops working at once', async () => {
    const victim = await backend.createTenant('leaky');
    const url = await backend.app.listen({ port: 0, host: '127.0.0.1' });
    const seen = async (token: string) =>
      (await backend.app.inject({ method: 'GET', url: '/api/v1/integrations', headers: bearer(token) }))
        .statusCode;
    expect(await seen(victim.token)).toBe(200);

    expect((await cli(url, ADMIN_TOKEN, 'tenants', 'rotate-token', String(victim.id))).code).toBe(2);
    const rotated = await cli(
      url,
      ADMIN_TOKEN,
      'tenants',
      'rotate-token',
      String(victim.id),
      '--reason',
      'token leaked in a screenshot',
    );
    expect(rotated.code).toBe(0);
    const fresh = /\(shown once\): (\S+)/.exec(rotated.out)?.[1];
    expect(fresh).toMatch(/^trb_/);
    expect(await seen(victim.token)).toBe(401);
    expect(await seen(fresh!)).toBe(200);

    const revoked = await cli(
      url,
      ADMIN_TOKEN,
      'tenants',
      'revoke',
      String(victim.id),
      '--reason',
      'offboarded',
    );
    expect(revoked).toMatchObject({ code: 0, out: `revoked 1 token of tenant ${victim.id}` });
    expect(await seen(fresh!)).toBe(401);
    // A tenant cannot do this to itself or others, and an unknown tenant is a 404.
    expect(
      (await cli(url, tenant.token, 'tenants', 'revoke', String(victim.id), '--reason', 'x')).err,
    ).toMatch(/^error: 403/);
    expect((await cli(url, ADMIN_TOKEN, 'tenants', 'revoke', '999999', '--reason', 'x')).err).toMatch(
      /^error: 404: tenant 999999 not found/,
    );
  });
});

describe('authentication failures', () => {
  it('are rate limited per client address; valid tokens do not count', async () => {
    const limited = await startTestBackend({ AUTH_FAILURES_PER_MINUTE: '3', SCHEDULER_ENABLED: 'false' });
    try {
      const t = await limited.createTenant();
      const call = (token: string) =>
        limited.app.inject({ method: 'GET', url: '/api/v1/integrations', headers: bearer(token) });
      for (let i = 0; i < 10; i++) expect((await call(t.token)).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await call(`trb_guess${i}`)).statusCode).toBe(401);
      const refused = await call('trb_guess3');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      // Another address is not affected.
      const elsewhere = await limited.app.inject({
        method: 'GET',
        url: '/api/v1/integrations',
        headers: bearer('trb_x'),
        remoteAddress: '10.9.8.7',
      });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});

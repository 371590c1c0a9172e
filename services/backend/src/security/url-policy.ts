import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '../errors.ts';

export interface UrlPolicy {
  hostAllowlist: readonly string[];
  allowPrivateHosts: boolean;
}

/**
 * Checks an integration's base URL before anything calls it: http(s) only, the
 * host on the allow-list when one is set, and no address that points back into
 * our own network (loopback, private, link-local, cloud metadata) unless the
 * operator allows it — otherwise a tenant could make the extractor fetch
 * internal services for it.
 */
export async function checkIntegrationUrl(value: string, policy: UrlPolicy): Promise<void> {
  const fail = (message: string) => {
    throw new ValidationError(`base_url ${message}`, [{ path: 'base_url', message }]);
  };
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('must be an http(s) URL');
  if (url.username || url.password) fail('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.hostAllowlist.length > 0 && !policy.hostAllowlist.includes(host)) {
    fail(`host ${host} is not on the allow-list`);
  }
  if (policy.allowPrivateHosts) return;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return fail(`host ${host} does not resolve`);
  }
  const internal = addresses.find(isInternalAddress);
  if (internal) fail(`host ${host} resolves to an internal address (${internal})`);
}

/** Loopback, private, link-local (incl. 169.254.169.254 metadata), CGNAT, unspecified and ULA ranges. */
export function isInternalAddress(address: string): boolean {
  const mapped = address.toLowerCase().replace(/^::ffff:/, '');
  if (isIP(mapped) === 4) {
    const [a = 0, b = 0] = mapped.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  return mapped === '::1' || mapped === '::' || /^f[cd]/.test(mapped) || /^fe[89ab]/.test(mapped);
}

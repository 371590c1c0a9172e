import {
  addressRefusal,
  baseUrlProblem,
  hostOwnAddresses,
  isIpLiteral,
  systemResolver,
  type Resolver,
} from '@tributary/netguard';
import { ValidationError } from '../errors.ts';

export interface UrlPolicy {
  hostAllowlist: readonly string[];
  allowPrivateHosts: boolean;
  /** How host names are resolved (tests inject one); the system resolver by default. */
  resolve?: Resolver;
}

/**
 * Checks an integration's base URL when it is saved: http(s) only, no query or fragment, the host
 * on the allow-list when one is set, and no address that points back into our own network
 * (@tributary/netguard decides which) unless the operator allows it. This is the early, friendly
 * answer; the extractor checks again at every connect, because DNS can change after this check.
 */
export async function checkIntegrationUrl(value: string, policy: UrlPolicy): Promise<void> {
  const fail = (message: string) => {
    throw new ValidationError(`base_url ${message}`, [{ path: 'base_url', message }]);
  };
  const problem = baseUrlProblem(value);
  if (problem) fail(problem);
  const url = new URL(value);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.hostAllowlist.length > 0 && !policy.hostAllowlist.includes(host)) {
    fail(`host ${host} is not on the allow-list`);
  }
  if (policy.allowPrivateHosts) return;
  let addresses: string[];
  try {
    addresses = isIpLiteral(host) ? [host] : await (policy.resolve ?? systemResolver)(host);
  } catch {
    return fail(`host ${host} does not resolve`);
  }
  const own = hostOwnAddresses();
  for (const address of addresses) {
    const refusal = addressRefusal(address, own);
    if (refusal)
      fail(`host ${host} resolves to an address integrations may not use (${address}: ${refusal})`);
  }
}

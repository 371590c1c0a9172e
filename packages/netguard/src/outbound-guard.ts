import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { addressRefusal, hostOwnAddresses, isIpLiteral } from './classify.ts';
import { systemResolver, type Resolver } from './resolver.ts';

export interface OutboundPolicy {
  /** Loopback and private addresses are allowed (`ALLOW_PRIVATE_INTEGRATION_HOSTS`: development, the simulator). */
  allowPrivateHosts: boolean;
  /**
   * How host names become addresses. Production uses the system resolver; tests pass their own
   * to stage DNS rebinding (`(host) => Promise<string[]>`, see tests/security/README.md).
   */
  resolve?: Resolver;
  /** TCP/TLS connect timeout. Default 10 s. */
  connectTimeoutMs?: number;
}

/** The address a host resolved to is one integrations (and webhooks) may not reach. Never retried, never a breaker failure. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
  readonly code = 'OUTBOUND_REFUSED';
}

/**
 * The dispatcher every outbound call to a tenant-chosen host goes through (the extractor's source
 * calls, the backend's webhook deliveries). It follows no redirects itself: the caller decides. Its connector resolves the host itself (the
 * socket's `lookup`), refuses internal and special addresses (@tributary/netguard), and the socket
 * connects only to the addresses it checked — so a name that answers public to the check and
 * loopback to a second lookup (DNS rebinding) has no second lookup to answer. TLS verifies the
 * certificate against the host name as usual.
 */
export interface OutboundGuard {
  readonly dispatcher: Agent;
  close: () => Promise<void>;
}

export function createOutboundGuard(policy: OutboundPolicy): OutboundGuard {
  const resolve = policy.resolve ?? systemResolver;

  const refuse = (host: string, addresses: readonly string[]): void => {
    if (policy.allowPrivateHosts) return;
    const own = hostOwnAddresses();
    for (const address of addresses) {
      const refusal = addressRefusal(address, own);
      // Every address is checked, not only the one we would pick: a name answering one
      // public and one internal address is someone's attempt, not an accident.
      if (refusal)
        throw new OutboundRefusedError(
          `host ${host} resolves to an address integrations may not use (${refusal})`,
        );
    }
  };

  // net.connect calls this for a host name (never for an IP literal): it gets only addresses that
  // passed the check, and tries them in order (happy eyeballs) — no other lookup happens.
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        try {
          const wanted = found.filter((address) => !options.family || isIP(address) === options.family);
          if (wanted.length === 0) throw new OutboundRefusedError(`host ${hostname} has no address`);
          refuse(hostname, found);
          const entries = wanted.map((address) => ({ address, family: isIP(address) }));
          if (options.all) callback(null, entries);
          else callback(null, entries[0]!.address, entries[0]!.family);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '', 0);
        }
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
  const connect = buildConnector({ timeout: policy.connectTimeoutMs ?? 10_000, lookup });

  const dispatcher = new Agent({
    connect: (options, callback) => {
      const host = options.hostname.replace(/^\[|\]$/g, '');
      // An IP literal skips the lookup above, so it is checked here, before any socket exists.
      if (isIpLiteral(host)) {
        try {
          refuse(host, [host]);
        } catch (error) {
          callback(error as Error, null);
          return;
        }
      }
      connect(options, callback);
    },
  });
  return { dispatcher, close: () => dispatcher.close() };
}

import { Agent, buildConnector } from 'undici';
import { addressRefusal, hostOwnAddresses, isIpLiteral, systemResolver, type Resolver } from '@tributary/netguard';

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

/** The address a source host resolved to is one integrations may not reach. Never retried, never a breaker failure. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
  readonly code = 'OUTBOUND_REFUSED';
  constructor(message: string) {
    super(message);
  }
}

/**
 * The dispatcher every source call goes through. Its `connect` resolves the host itself, refuses
 * internal and special addresses (@tributary/netguard), and opens the socket to the very address
 * it checked — so a name that answers public to the check and loopback to a second lookup (DNS
 * rebinding) has no second lookup to answer. TLS still verifies the certificate against the
 * host name (`servername`).
 */
export interface OutboundGuard {
  readonly dispatcher: Agent;
  close: () => Promise<void>;
}

export function createOutboundGuard(policy: OutboundPolicy): OutboundGuard {
  const resolve = policy.resolve ?? systemResolver;
  const connect = buildConnector({ timeout: policy.connectTimeoutMs ?? 10_000 });

  const checkedAddress = async (hostname: string): Promise<string> => {
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIpLiteral(host) ? [host] : await resolve(host);
    if (addresses.length === 0) throw new OutboundRefusedError(`host ${host} has no address`);
    if (!policy.allowPrivateHosts) {
      const own = hostOwnAddresses();
      for (const address of addresses) {
        const refusal = addressRefusal(address, own);
        // Every address is checked, not only the one we would pick: a name answering one
        // public and one internal address is someone's attempt, not an accident.
        if (refusal) throw new OutboundRefusedError(`host ${host} resolves to an address integrations may not use (${refusal})`);
      }
    }
    return addresses[0]!;
  };

  const dispatcher = new Agent({
    connect: (options, callback) => {
      checkedAddress(options.hostname).then(
        (address) => {
          const servername = options.servername ?? (isIpLiteral(options.hostname) ? undefined : options.hostname);
          connect({ ...options, hostname: address, ...(servername ? { servername } : {}) }, callback);
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
      );
    },
  });
  return { dispatcher, close: () => dispatcher.close() };
}

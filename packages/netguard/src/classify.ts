import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

/*
 * Why ipaddr.js rather than prefix strings: the same address has many spellings (`::ffff:7f00:1`,
 * `::ffff:127.0.0.1`, `0:0:0:0:0:ffff:7f00:1`, `::127.0.0.1`), and string tests on one of them
 * were exactly how the IPv4-mapped SSRF got through. ipaddr.js parses every spelling into octets
 * and carries the IANA special-purpose registry as ranges, so classification is a lookup, not
 * parsing we maintain.
 */

/**
 * IPv6 ranges that carry an IPv4 address inside (mapped, SIIT, NAT64, 6to4): they are judged
 * by the IPv4 address they lead to.
 */
const EMBEDS_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

/** An address in a canonical text form (IPv4 dotted, IPv6 RFC 5952), or undefined if it is not an IP. */
export function normalizeAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return undefined;
  // ipaddr.isValid also admits legacy IPv4 spellings (`0x7f.1`, `2130706433`); parse agrees with it.
  return ipaddr.parse(bare).toNormalizedString();
}

/** Whether a URL hostname is an IP literal (`127.0.0.1`, `[::1]`) rather than a name to resolve. */
export function isIpLiteral(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || (bare.includes(':') && ipaddr.IPv6.isValid(bare));
}

function embeddedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  // Mapped, SIIT and NAT64 (well-known prefix) keep the IPv4 address in the last 32 bits.
  return new ipaddr.IPv4(bytes.slice(12, 16));
}

function v4Refusal(address: ipaddr.IPv4): string | null {
  const range = address.range();
  // Only ordinary unicast is a public host: private, loopback, link-local (cloud metadata),
  // CGNAT, multicast, broadcast, benchmarking (198.18/15), documentation, reserved, AS112, AMT.
  return range === 'unicast' ? null : range;
}

/**
 * Why an integration may not connect to `address` (`'loopback'`, `'private'`, `'ipv4Mapped →
 * loopback'`, `'this host'` …), or null when it is a public unicast address. `ownAddresses` are
 * this machine's interface addresses (see `hostOwnAddresses`): a public IP of our own host reaches
 * services bound to all interfaces, so it is refused like loopback.
 */
export function addressRefusal(
  address: string,
  ownAddresses: ReadonlySet<string> = new Set(),
): string | null {
  const normalized = normalizeAddress(address);
  if (normalized === undefined) return 'not an IP address';
  return rangeRefusal(normalized, ownAddresses) ?? (ownAddresses.has(normalized) ? 'this host' : null);
}

function rangeRefusal(normalized: string, ownAddresses: ReadonlySet<string>): string | null {
  const parsed = ipaddr.parse(normalized);
  if (parsed.kind() === 'ipv4') return v4Refusal(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const bytes = v6.toByteArray();
  // IPv4-compatible (`::a.b.c.d`, deprecated by RFC 4291) has no registry entry of its own; the
  // whole ::/96 block is unused on the internet, so it is refused with whatever it embeds.
  if (bytes.slice(0, 12).every((b) => b === 0)) {
    const range = v6.range();
    return range === 'unicast'
      ? `ipv4Compatible → ${v4Refusal(embeddedIpv4(v6, 'ipv4Mapped')) ?? 'deprecated'}`
      : range;
  }
  const range = v6.range();
  if (EMBEDS_IPV4.has(range)) {
    const inner = embeddedIpv4(v6, range);
    const innerRefusal = v4Refusal(inner) ?? (ownAddresses.has(inner.toString()) ? 'this host' : null);
    return innerRefusal === null ? null : `${range} → ${innerRefusal}`;
  }
  // Teredo, ULA, link-local, multicast, discard, documentation, ORCHID, segment routing … are not public hosts.
  return range === 'unicast' ? null : range;
}

/** This machine's interface addresses, normalized (read at call time: interfaces come and go). */
export function hostOwnAddresses(): Set<string> {
  const out = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      const normalized = normalizeAddress(entry.address);
      if (normalized !== undefined) out.add(normalized);
    }
  }
  return out;
}

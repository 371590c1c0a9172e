import { lookup } from 'node:dns/promises';

/**
 * Turns a host name into its addresses. The system resolver by default; tests inject their own
 * (a name that resolves public at creation and to loopback at run time is a rebinding attack).
 */
export type Resolver = (hostname: string) => Promise<string[]>;

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS), every address of the name. */
export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((a) => a.address);

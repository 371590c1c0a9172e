import { describe, expect, it } from 'vitest';
import { addressRefusal, isIpLiteral, normalizeAddress } from './classify.ts';

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'ipv4Mapped → loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped → loopback'],
    ['::ffff:169.254.169.254', 'ipv4Mapped → linkLocal'],
    ['::7f00:1', 'ipv4Compatible → loopback'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052 → linkLocal'],
    ['2002:0a00:0001::', '6to4 → private'],
    ['169.254.169.254', 'linkLocal'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['ff02::1', 'multicast'],
    ['fd12::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'teredo'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(addressRefusal(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '140.82.112.3', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'admits the public address %s',
    (address) => {
      expect(addressRefusal(address)).toBeNull();
    },
  );

  it("refuses this host's own public address, in any spelling", () => {
    const own = new Set([normalizeAddress('203.0.114.9')!]);
    expect(addressRefusal('203.0.114.9', own)).toBe('this host');
    expect(addressRefusal('::ffff:203.0.114.9', own)).toBe('ipv4Mapped → this host');
    expect(addressRefusal('203.0.114.10', own)).toBeNull();
  });

  it('tells IP literals from names', () => {
    expect(isIpLiteral('[::ffff:7f00:1]')).toBe(true);
    expect(isIpLiteral('10.0.0.1')).toBe(true);
    expect(isIpLiteral('jira.example.com')).toBe(false);
  });
});

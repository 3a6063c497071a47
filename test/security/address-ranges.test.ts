/**
 * Address sets (trusted proxies, rate-limit exemptions, sslRequired's local addresses) keep each
 * address's answer: asked again, and after the remembered answers overflow, they answer the same,
 * and what is not an address is never in a set nor kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressRanges, isLocalAddress } from '../../src/http/address-ranges.ts';

describe('address ranges', () => {
  const ranges = new AddressRanges(['10.0.0.0/8', '::1', '192.0.2.7', '2001:db8::/32']);
  const cases: Array<[string | undefined, boolean]> = [
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['::1', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8::5', true],
    ['2001:db9::5', false],
    ['not-an-address', false],
    ['1'.repeat(100), false],
    ['', false],
    [undefined, false],
  ];

  it('answers the same when asked again, and after more distinct addresses than it remembers', () => {
    for (let round = 0; round < 2; round++) for (const [address, inside] of cases) assert.equal(ranges.has(address), inside, `${address} (round ${round})`);
    for (let i = 0; i < 10_000; i++) assert.equal(ranges.has(`172.16.${i >> 8}.${i & 255}`), false);
    for (const [address, inside] of cases) assert.equal(ranges.has(address), inside, `${address} after overflow`);
  });

  it('an empty set holds nothing; local addresses are what sslRequired external lets through', () => {
    assert.equal(new AddressRanges([]).has('10.0.0.1'), false);
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '169.254.0.1', '::1', 'fe80::1', 'fc00::1']) assert.equal(isLocalAddress(address), true, address);
    for (const address of ['8.8.8.8', '172.32.0.1', '2001:db8::1', undefined]) assert.equal(isLocalAddress(address), false, String(address));
  });
});

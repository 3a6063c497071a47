/**
 * Sets of IP addresses and CIDR ranges (trusted proxies, rate-limit exemptions), and Keycloak's
 * notion of a local client address for `sslRequired: external`. IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports) match their IPv4 ranges.
 */
import net from 'node:net';

/** Answers remembered per set: a node sees few distinct addresses at a time, and the memory stays bounded. */
const MAX_REMEMBERED = 4096;
const MAX_ADDRESS_LENGTH = 45;

export class AddressRanges {
  private readonly list = new net.BlockList();
  readonly size: number;
  /**
   * BlockList.check builds a SocketAddress on every call (a few microseconds), and a request asks
   * up to four times (trusted proxy, rate-limit exemption twice, sslRequired): each address's
   * answer is kept, the whole map dropped when it fills.
   */
  private readonly answers = new Map<string, boolean>();

  /** Entries as validated by the configuration: `address` or `address/bits`. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
    this.size = entries.length;
  }

  has(address: string | undefined): boolean {
    // Longer than any textual IP address (45 characters): not one, and not a key to keep.
    if (address === undefined || this.size === 0 || address.length > MAX_ADDRESS_LENGTH) return false;
    let answer = this.answers.get(address);
    if (answer === undefined) {
      const family = net.isIP(address);
      answer = family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
      if (this.answers.size >= MAX_REMEMBERED) this.answers.clear();
      this.answers.set(address, answer);
    }
    return answer;
  }
}

/**
 * Loopback, private (site-local), link-local and IPv6 unique-local addresses: what Keycloak's
 * `SslRequired.EXTERNAL` lets through over plain HTTP. Anything else, or no address, is external.
 */
const LOCAL = new AddressRanges([
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1',
  'fe80::/10',
  'fec0::/10',
  'fc00::/7',
]);

export function isLocalAddress(address: string | undefined): boolean {
  return LOCAL.has(address);
}

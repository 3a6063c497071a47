/**
 * The network a request comes from, for bounds that count per client (logins in progress per
 * client network), from the client address that client-connection.ts decides (the socket's, or
 * the forwarded one behind a trusted proxy).
 * An IPv6 client counts by its /64, since one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address for every request.
 */
import net from 'node:net';
import type { FastifyRequest } from 'fastify';

export function clientNetwork(request: FastifyRequest): string {
  return networkOf(request.clientConnection.address);
}

/** IPv4 as it is (also when written IPv4-mapped, `::ffff:a.b.c.d`); IPv6 as its /64 prefix. */
function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!net.isIPv6(address)) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without a zone id, `::` expanded, as lower-case hex. */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.split('%')[0].toLowerCase().split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first four groups matter here.
  const width = right.some((g) => g.includes('.')) || left.some((g) => g.includes('.')) ? 7 : 8;
  const middle = tail === undefined ? [] : Array<string>(Math.max(0, width - left.length - right.length)).fill('0');
  return [...left, ...middle, ...right].map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)));
}

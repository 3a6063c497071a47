/**
 * Who is on the other end of a request: the client's address, the scheme it used and the host it
 * asked for. By default that is the TCP connection and its Host header. With `--proxy-headers`
 * (Keycloak's flag) and a request from a trusted proxy (`--proxy-trusted-addresses`, any peer
 * when unset) it is what the proxy says in `Forwarded` (RFC 7239) or `X-Forwarded-For`/`-Proto`/
 * `-Host`/`-Port`; the headers of the other kind, and all of them from anybody else, are ignored.
 *
 * The client is the rightmost address of the forwarded chain that is not itself a trusted proxy
 * (only the nearest proxy's entry when no list is set), so an address a client wrote into the
 * header itself is never believed. Values that are not what they claim to be (an address that is
 * not an IP, a scheme other than http/https, a malformed host) fall back to the connection's own.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import net from 'node:net';
import type { ProxyHeaders } from '../config/index.ts';
import { AddressRanges } from './address-ranges.ts';

export interface ClientConnection {
  /** The client's IP address. */
  address: string;
  scheme: 'http' | 'https';
  /** `host[:port]` the client addressed (Host header or the proxy's), if any. */
  host: string | undefined;
  /** The scheme and host came from a trusted proxy rather than from this connection. */
  forwarded: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    clientConnection: ClientConnection;
  }
}

const HOST_SHAPE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * `host[:port]` as a URL can carry it: a name or bracketed address, and a port up to 65535 (the
 * shape alone would let `host:99999` through, which no URL parser accepts further on).
 */
export function isValidHost(host: string | undefined): host is string {
  const match = host === undefined ? null : HOST_SHAPE.exec(host);
  return match !== null && (match[2] === undefined || Number(match[2]) <= 65535);
}

interface Hop {
  address?: string;
  proto?: string;
  host?: string;
  port?: string;
}

function headerValues(request: FastifyRequest, name: string): string[] {
  const raw = request.headers[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw.join(',') : raw)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** `192.0.2.1`, `192.0.2.1:80`, `"[2001:db8::1]:4711"`, `[2001:db8::1]` → the bare address. */
function nodeAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const unquoted = value.replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(unquoted);
  const address = bracketed ? bracketed[1] : net.isIP(unquoted) ? unquoted : unquoted.replace(/:\d+$/, '');
  return net.isIP(address) ? address : undefined;
}

function forwardedHops(request: FastifyRequest): Hop[] {
  return headerValues(request, 'forwarded').map((element) => {
    const hop: Hop = {};
    for (const pair of element.split(';')) {
      const at = pair.indexOf('=');
      if (at < 0) continue;
      const key = pair.slice(0, at).trim().toLowerCase();
      const value = pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'for') hop.address = nodeAddress(value);
      else if (key === 'proto') hop.proto = value.toLowerCase();
      else if (key === 'host') hop.host = value;
    }
    return hop;
  });
}

/** X-Forwarded-*: one hop per address; scheme, host and port are the nearest proxy's. */
function xForwardedHops(request: FastifyRequest): Hop[] {
  const last = (name: string) => headerValues(request, name).at(-1);
  const nearest = { proto: last('x-forwarded-proto')?.toLowerCase(), host: last('x-forwarded-host'), port: last('x-forwarded-port') };
  const addresses = headerValues(request, 'x-forwarded-for');
  if (addresses.length === 0) return [nearest];
  return addresses.map((address) => ({ address: nodeAddress(address), ...nearest }));
}

export class ClientConnectionResolver {
  private readonly trusted: AddressRanges;

  constructor(
    private readonly proxyHeaders: ProxyHeaders | undefined,
    trustedAddresses: readonly string[],
  ) {
    this.trusted = new AddressRanges(trustedAddresses);
  }

  resolve(request: FastifyRequest): ClientConnection {
    const peer = request.socket.remoteAddress ?? '';
    const direct: ClientConnection = {
      address: peer,
      scheme: (request.socket as TLSSocket).encrypted ? 'https' : 'http',
      host: request.headers.host,
      forwarded: false,
    };
    if (!this.proxyHeaders || (this.trusted.size > 0 && !this.trusted.has(peer))) return direct;
    const hops = this.proxyHeaders === 'forwarded' ? forwardedHops(request) : xForwardedHops(request);
    if (hops.length === 0) return direct;
    const hop = this.clientHop(hops);
    const scheme = hop.proto === 'https' || hop.proto === 'http' ? hop.proto : direct.scheme;
    let host = isValidHost(hop.host) ? hop.host : undefined;
    if (host !== undefined && hop.port !== undefined && /^\d{1,5}$/.test(hop.port) && !/:\d+$/.test(host)) {
      const defaultPort = scheme === 'https' ? '443' : '80';
      if (hop.port !== defaultPort) host = `${host}:${hop.port}`;
    }
    return {
      address: hop.address ?? peer,
      scheme,
      host: host ?? direct.host,
      forwarded: hop.proto !== undefined || host !== undefined,
    };
  }

  /** The rightmost hop whose address is not a trusted proxy (the nearest one without a list). */
  private clientHop(hops: Hop[]): Hop {
    if (this.trusted.size === 0) return hops.at(-1)!;
    for (let index = hops.length - 1; index > 0; index -= 1) {
      if (!this.trusted.has(hops[index].address)) return hops[index];
    }
    return hops[0];
  }
}

/** Resolves every request's client connection before any hook or route sees it. */
export function registerClientConnection(app: FastifyInstance, resolver: ClientConnectionResolver): void {
  app.decorateRequest('clientConnection', null as unknown as ClientConnection);
  app.addHook('onRequest', async (request) => {
    request.clientConnection = resolver.resolve(request);
  });
}

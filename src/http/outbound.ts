/**
 * Requests holdfast makes on a client's behalf, to URLs an administrator configured (a client's
 * `jwks.url`, its `backchannel.logout.url`): bounded in time and size, never following
 * redirects, and, with `--outbound-addresses public`, never to a loopback, private, link-local or
 * unique-local address. The address is checked when the socket connects (after DNS), so a name
 * that resolves differently on a second lookup cannot slip through.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isLocalAddress } from './address-ranges.ts';

export type OutboundAddresses = 'any' | 'public';

export interface OutboundRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  addresses: OutboundAddresses;
}

export interface OutboundResponse {
  status: number;
  /** Undefined when the body was larger than `maxBytes`. */
  body: string | undefined;
}

export class OutboundRefused extends Error {}

const publicOnlyLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    const refused = list.find((a) => isLocalAddress(a.address));
    if (refused || list.length === 0) return callback(new OutboundRefused(`${hostname} resolves to a non-public address`), '', 0);
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

export function outboundRequest(target: string, request: OutboundRequest): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return reject(new OutboundRefused('not a URL'));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new OutboundRefused('not an http(s) URL'));
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (request.addresses === 'public' && net.isIP(literal) !== 0 && isLocalAddress(literal)) return reject(new OutboundRefused(`${literal} is not a public address`));
    const client = url.protocol === 'https:' ? https : http;
    const outgoing = client.request(url, {
      method: request.method,
      headers: { ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
      timeout: request.timeoutMs,
      ...(request.addresses === 'public' ? { lookup: publicOnlyLookup } : {}),
    });
    const deadline = setTimeout(() => outgoing.destroy(new Error('timed out')), request.timeoutMs);
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          clearTimeout(deadline);
          response.destroy();
          resolve({ status: response.statusCode ?? 0, body: undefined });
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
    });
    outgoing.end(request.body);
  });
}

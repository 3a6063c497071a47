/**
 * A browser over app.inject for the login steps: a cookie jar, the pages' forms found by their
 * Keycloak ids (`kc-form-login`, `kc-otp-login-form`, `kc-passwd-update-form`, …) and posted
 * with the page's own action URL, and the redirect to the client read but not followed. Also
 * RFC 6238 / 4226 codes computed independently of holdfast's implementation.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, type TestApp } from '../support/app.ts';

export const REDIRECT = 'http://localhost:3000/cb';

export class LoginBrowser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
      if (cookie.value === '' || cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  private get cookie(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }

  /** Opens demo-service's login (confidential client, no PKCE needed). */
  async open(realmPath = DEMO, clientId = 'demo-service'): Promise<LightMyRequestResponse> {
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: 'st' });
    const response = await this.t.app.inject({ method: 'GET', url: `${realmPath}/auth?${query}`, headers: { cookie: this.cookie } });
    this.store(response);
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.t.app.inject({ method: 'GET', url, headers: { cookie: this.cookie } });
    this.store(response);
    return response;
  }

  /** Posts the form `formId` of `page` with these fields. */
  async submit(page: LightMyRequestResponse, formId: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.post(formActionOf(page.body, formId), fields);
  }

  /** Posts these fields to `url` with the browser's cookies (a form as an attacker would forge it). */
  async post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    const body = form(fields);
    const response = await this.t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, cookie: this.cookie } });
    this.store(response);
    return response;
  }

  /** Username and password on the first page. */
  async login(username: string, password: string): Promise<LightMyRequestResponse> {
    return this.submit(await this.open(), 'kc-form-login', { username, password });
  }
}

const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c)));

export function formActionOf(html: string, formId: string): string {
  const match = new RegExp(`<form id="${formId}" method="post" action="([^"]+)"`).exec(html);
  assert.ok(match, `form ${formId} not in page: ${html.slice(0, 1500)}`);
  const url = new URL(unescape(match[1]));
  return url.pathname + url.search;
}

/** The value of an input by id. */
export function inputValue(html: string, id: string): string {
  const match = new RegExp(`<input id="${id}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html);
  assert.ok(match, `input ${id} not in page`);
  return unescape(match[1]);
}

/** The text of an element by id. */
export function textOf(html: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return match ? unescape(match[1]) : undefined;
}

/** The code of an authorization response redirect (asserts it is one). */
export function codeOf(response: LightMyRequestResponse): string {
  assert.equal(response.statusCode, 302, `expected the redirect with the code, got ${response.statusCode}: ${response.body.slice(0, 1500)}`);
  const code = new URL(response.headers.location as string).searchParams.get('code');
  assert.ok(code, `no code in ${response.headers.location}`);
  return code;
}

/** RFC 4226 HOTP, written from the RFC (not holdfast's module). */
export function hotp(key: Buffer, counter: number, digits = 6, hash = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(hash, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(value % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP at a moment in ms. */
export function totp(key: Buffer, nowMs: number, period = 30, digits = 6, hash = 'sha1'): string {
  return hotp(key, Math.floor(nowMs / 1000 / period), digits, hash);
}

/** A password grant for demo-service. */
export async function passwordGrant(t: TestApp, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'password', client_id: 'demo-service', client_secret: 'demo-service-secret', ...fields }) });
}

/** A master admin token over inject. */
export async function adminToken(t: TestApp): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
  return response.json().access_token;
}

export async function adminCall(t: TestApp, token: string, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url: `/admin/realms${path}`, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body) });
}

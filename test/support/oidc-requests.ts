/**
 * Small OIDC request helpers for tests against a real process: password grant, code flow with
 * PKCE through the login form, refresh, and refresh-token logout, all for the demo realm.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar, loginThroughForm } from './browser.ts';

export const DEMO_SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };
export const DEMO_REDIRECT = 'http://localhost:3000/callback';

export async function tokenRequest(baseUrl: string, fields: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/realms/demo/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, body: await response.json() };
}

export function passwordGrant(baseUrl: string, username = 'alice', password = 'alice', scope = 'openid') {
  return tokenRequest(baseUrl, { grant_type: 'password', username, password, scope, ...DEMO_SERVICE });
}

export function refresh(baseUrl: string, refreshToken: string) {
  return tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, ...DEMO_SERVICE });
}

export async function logoutWithRefreshToken(baseUrl: string, refreshToken: string): Promise<number> {
  const response = await fetch(`${baseUrl}/realms/demo/protocol/openid-connect/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ refresh_token: refreshToken, ...DEMO_SERVICE }),
  });
  await response.arrayBuffer();
  return response.status;
}

export interface IssuedCode {
  code: string;
  verifier: string;
}

/** An authorization request of demo-service (code flow, PKCE) with the verifier for its code. */
export function authorizationRequest(baseUrl: string, state = randomBytes(8).toString('hex')): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: 'demo-service',
    redirect_uri: DEMO_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return { url: `${baseUrl}/realms/demo/protocol/openid-connect/auth?${query}`, verifier };
}

/** Logs alice in through the form and returns the (not yet redeemed) code with its PKCE verifier. */
export async function codeThroughLogin(baseUrl: string, jar = new CookieJar()): Promise<IssuedCode> {
  const { url, verifier } = authorizationRequest(baseUrl);
  const location = await loginThroughForm(url, 'alice', 'alice', jar);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier };
}

export function redeemCode(baseUrl: string, issued: IssuedCode) {
  return tokenRequest(baseUrl, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: DEMO_REDIRECT, ...DEMO_SERVICE });
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

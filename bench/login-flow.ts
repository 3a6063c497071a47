/**
 * A full authorization-code + PKCE login as a browser does it, for holdfast and the peer alike:
 * open the authorization URL, follow redirects, fill the login form (`#kc-form-login` on both),
 * follow redirects until the client's redirect URI, then redeem the code at the token endpoint.
 * Bounded: at most MAX_STEPS hops per login.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar, formAction } from '../test/support/browser.ts';

export interface LoginTarget {
  /** Authorization endpoint, absolute. */
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /** Confidential clients authenticate with Basic; public ones send client_id. */
  clientSecret?: string;
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
}

const MAX_STEPS = 10;

export function basicAuth(clientId: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
}

export async function loginWithCode(target: LoginTarget): Promise<Record<string, any>> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    scope: target.scope,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  let url = `${target.authorizationEndpoint}?${query}`;
  let method: 'GET' | 'POST' = 'GET';
  let body: URLSearchParams | undefined;
  let code: string | undefined;
  for (let step = 0; step < MAX_STEPS && code === undefined; step++) {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(response);
    if (response.status >= 300 && response.status < 400) {
      await response.arrayBuffer();
      const location = new URL(response.headers.get('location')!, url);
      if (location.href.startsWith(target.redirectUri)) {
        code = location.searchParams.get('code') ?? undefined;
        if (!code) throw new Error(`login ended without a code: ${location}`);
      } else {
        url = location.href;
        method = 'GET';
        body = undefined;
      }
    } else if (response.status === 200) {
      url = new URL(formAction(await response.text()), url).href;
      method = 'POST';
      body = new URLSearchParams({ username: target.username, password: target.password, credentialId: '' });
    } else {
      throw new Error(`login step ${step} got ${response.status}: ${(await response.text()).slice(0, 300)}`);
    }
  }
  if (!code) throw new Error(`login did not finish in ${MAX_STEPS} steps`);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: target.redirectUri });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (target.clientSecret) headers.authorization = basicAuth(target.clientId, target.clientSecret);
  else form.set('client_id', target.clientId);
  const tokens = await fetch(target.tokenEndpoint, { method: 'POST', headers, body: form });
  const json = (await tokens.json()) as Record<string, any>;
  if (tokens.status !== 200) throw new Error(`code redemption got ${tokens.status}: ${JSON.stringify(json)}`);
  return json;
}

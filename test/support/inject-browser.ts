/**
 * A browser's view of an in-process holdfast (app.inject): alice logs in through the form and
 * keeps the SSO cookies; plus the store's write count and the number of 5xx answers, for tests
 * that assert a refused request changed nothing and broke nothing.
 */
import type { LightMyRequestResponse } from 'fastify';
import { DEMO, form, type TestApp } from './app.ts';

export const DEMO_SERVICE = { client_id: 'demo-service', client_secret: 'demo-service-secret' };

export interface BrowserLogin {
  /** The `cookie` header of the logged-in browser (SSO and auth-session cookies). */
  cookie: string;
  tokens: { access_token: string; refresh_token: string; id_token: string };
}

/** Logs alice in to demo-service through the login form and redeems the code. */
export async function browserLogin(t: TestApp, redirectUri = 'http://localhost:3000/cb'): Promise<BrowserLogin> {
  const query = new URLSearchParams({ client_id: 'demo-service', redirect_uri: redirectUri, response_type: 'code', scope: 'openid' });
  const page = await t.app.inject({ method: 'GET', url: `${DEMO}/auth?${query}` });
  const cookies = page.cookies.map((c) => `${c.name}=${c.value}`);
  const action = new URL(page.body.match(/action="([^"]+)"/)![1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
  const done = await t.app.inject({
    method: 'POST',
    url: action.pathname + action.search,
    ...form({ username: 'alice', password: 'alice' }),
    headers: { ...form({}).headers, cookie: cookies.join('; ') },
  });
  const cookie = [...cookies, ...done.cookies.filter((c) => c.value !== '').map((c) => `${c.name}=${c.value}`)].join('; ');
  const code = new URL(done.headers.location as string).searchParams.get('code')!;
  const redeemed = await t.app.inject({ method: 'POST', url: `${DEMO}/token`, ...form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...DEMO_SERVICE }) });
  return { cookie, tokens: redeemed.json() };
}

/** Writes that reached the durable store so far, all operations together. */
export async function storeWrites(t: TestApp): Promise<number> {
  const { values } = await t.ctx.metrics.storeWrites.get();
  return values.reduce((sum, { value }) => sum + value, 0);
}

/** Requests answered with a 5xx so far. */
export async function serverErrors(t: TestApp): Promise<number> {
  const { values } = await t.ctx.metrics.requestDuration.get();
  return values
    .filter(({ labels, metricName }) => metricName === 'holdfast_request_duration_seconds_count' && labels.outcome === 'server_error')
    .reduce((sum, { value }) => sum + value, 0);
}

/** A cookie jar over inject responses, keeping attributes for inspection. */
export class InjectJar {
  readonly cookies = new Map<string, { value: string; attributes: Record<string, unknown> }>();
  store(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; [k: string]: unknown }>) {
      if (cookie.value === '' || cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, { value: cookie.value, attributes: cookie });
    }
  }
  header(): string {
    return [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join('; ');
  }
}

/** The master admin's bearer header, for admin API calls through `app.inject`. */
export async function adminHeaders(t: TestApp): Promise<{ authorization: string }> {
  const token = await t.app.inject({ method: 'POST', url: '/realms/master/protocol/openid-connect/token', ...form({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }) });
  return { authorization: `Bearer ${token.json().access_token}` };
}

/** The login form's target in a page, as a path for `app.inject`. */
export function loginAction(html: string): string {
  const raw = html.match(/id="kc-form-login" method="post" action="([^"]+)"/)![1];
  const url = new URL(raw.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))).replace(/&amp;/g, '&'));
  return url.pathname + url.search;
}

/**
 * Opens `authorizeUrl` in the jar's browser and, if the login form comes, signs in: the answer
 * that goes back to the client (a redirect or a form_post page), or the error page.
 */
export async function injectLogin(t: TestApp, jar: InjectJar, authorizeUrl: string, username = 'alice', password = 'alice'): Promise<LightMyRequestResponse> {
  const page = await t.app.inject({ method: 'GET', url: authorizeUrl, headers: { cookie: jar.header() } });
  jar.store(page);
  if (page.statusCode !== 200 || !page.body.includes('id="kc-form-login"')) return page;
  const fields = form({ username, password });
  const done = await t.app.inject({ method: 'POST', url: loginAction(page.body), ...fields, headers: { ...fields.headers, cookie: jar.header() } });
  jar.store(done);
  return done;
}

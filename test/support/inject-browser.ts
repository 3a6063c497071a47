/**
 * A browser's view of an in-process holdfast (app.inject): alice logs in through the form and
 * keeps the SSO cookies; plus the store's write count and the number of 5xx answers, for tests
 * that assert a refused request changed nothing and broke nothing.
 */
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
  const { values } = await t.ctx.metrics.requests.get();
  return values.filter(({ labels }) => labels.outcome === 'server_error').reduce((sum, { value }) => sum + value, 0);
}

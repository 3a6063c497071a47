/**
 * An in-process holdfast on a fresh in-memory SQLite store with a manual clock, for tests that
 * use `app.inject()` and move time instantly.
 */
import { buildApp, type Holdfast } from '../../src/app.ts';
import { ManualClock } from '../../src/clock/index.ts';
import { testConfig, type Config } from '../../src/config/index.ts';

export interface TestApp extends Holdfast {
  clock: ManualClock;
}

export async function testApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  // Starts at the real time: stores with real TTLs (Redis) must agree with the clock on what is expired.
  const clock = new ManualClock(Date.now());
  const holdfast = await buildApp({ config: testConfig(overrides), clock });
  return { ...holdfast, clock };
}

export const DEMO = '/realms/demo/protocol/openid-connect';

/** A form body for `app.inject`. */
export function form(fields: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** An authorization request that opens demo-app's login form (PKCE S256, as the client requires). */
export const DEMO_APP_AUTH_QUERY = new URLSearchParams({
  client_id: 'demo-app',
  redirect_uri: 'http://localhost:3000/',
  response_type: 'code',
  scope: 'openid',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuJJRbV0Ys0',
  code_challenge_method: 'S256',
});

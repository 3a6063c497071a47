/**
 * A brokered login's two realms in one listening holdfast: `upstream`, a realm whose confidential
 * client `holdfast-broker` the broker uses, with user bob; and `brokered`, a realm with the
 * identity provider `upstream` (oidc, signature checked against the upstream's JWKS, PKCE) and
 * the public client `app`. The browser's two sides use two cookie jars, as a browser keeps the
 * realms' path-scoped cookies apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { CookieJar, formAction, get, postForm } from '../support/browser.ts';
import { adminClient } from '../admin/admin-support.ts';

export const APP_REDIRECT = 'http://app.example/callback';

export interface BrokerRealms {
  upstreamAdmin: KcAdminClient;
  brokeredAdmin: KcAdminClient;
}

export function providerConfig(url: string, extra: Record<string, string> = {}): Record<string, string> {
  const base = `${url}/realms/upstream`;
  return {
    clientId: 'holdfast-broker',
    clientSecret: 'broker-secret',
    authorizationUrl: `${base}/protocol/openid-connect/auth`,
    tokenUrl: `${base}/protocol/openid-connect/token`,
    userInfoUrl: `${base}/protocol/openid-connect/userinfo`,
    jwksUrl: `${base}/protocol/openid-connect/certs`,
    issuer: base,
    validateSignature: 'true',
    useJwksUrl: 'true',
    pkceEnabled: 'true',
    pkceMethod: 'S256',
    syncMode: 'IMPORT',
    defaultScope: 'profile email',
    ...extra,
  };
}

export async function setUpBrokerRealms(server: { url: string }): Promise<BrokerRealms> {
  const master = await adminClient(server.url);
  await master.realms.create({ realm: 'upstream', enabled: true });
  await master.realms.create({ realm: 'brokered', enabled: true });
  const upstreamAdmin = await adminClient(server.url, {}, 'upstream');
  await upstreamAdmin.clients.create({ clientId: 'holdfast-broker', secret: 'broker-secret', publicClient: false, standardFlowEnabled: true, redirectUris: [`${server.url}/realms/brokered/broker/*`] });
  await upstreamAdmin.users.create({ username: 'bob', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder', emailVerified: true, enabled: true, credentials: [{ type: 'password', value: 'bob-pw', temporary: false }] });
  const brokeredAdmin = await adminClient(server.url, {}, 'brokered');
  await brokeredAdmin.clients.create({ clientId: 'app', publicClient: true, standardFlowEnabled: true, redirectUris: [APP_REDIRECT] });
  await brokeredAdmin.identityProviders.create({ alias: 'upstream', providerId: 'oidc', displayName: 'Upstream', trustEmail: true, config: { ...providerConfig(server.url), guiOrder: '2' } });
  return { upstreamAdmin, brokeredAdmin };
}

/** One browser: a jar for each realm's cookies. */
export class Browser {
  readonly down = new CookieJar();
  readonly up = new CookieJar();
}

export function appAuthorization(url: string, extra: Record<string, string> = {}): { url: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({ client_id: 'app', redirect_uri: APP_REDIRECT, response_type: 'code', scope: 'openid', state: 's1', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...extra });
  return { url: `${url}/realms/brokered/protocol/openid-connect/auth?${query}`, verifier };
}

const unescape = (value: string) => value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** The href of the login page's "Sign in with" link of `alias`. */
export function socialLink(html: string, alias: string): string {
  const match = html.match(new RegExp(`<a id="social-${alias}"[^>]*href="([^"]+)"`));
  if (!match) throw new Error(`no social-${alias} link in page`);
  return unescape(match[1]);
}

/** The action of the first form of a page. */
export function anyFormAction(html: string): string {
  const match = html.match(/<form[^>]*action="([^"]+)"/);
  if (!match) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  return unescape(match[1]);
}

/** Signs in at the upstream (its login page at `authorizeUrl`) and answers the redirect back to the broker. */
export async function upstreamLogin(browser: Browser, authorizeUrl: string, username = 'bob', password = 'bob-pw'): Promise<string> {
  const page = await get(authorizeUrl, browser.up);
  if (page.status === 302) return page.headers.get('location')!;
  const result = await postForm(formAction(await page.text()), { username, password }, browser.up);
  if (result.status !== 302) throw new Error(`upstream login did not redirect (${result.status})`);
  return result.headers.get('location')!;
}

/** From the brokered login page through "Sign in with Upstream" to the broker's answer to the upstream's redirect. */
export async function brokeredLogin(server: { url: string }, browser: Browser, extra: Record<string, string> = {}): Promise<{ response: Response; verifier: string }> {
  const { url, verifier } = appAuthorization(server.url, extra);
  const loginPage = await get(url, browser.down);
  const toUpstream = await get(socialLink(await loginPage.text(), 'upstream'), browser.down);
  if (toUpstream.status !== 302) throw new Error(`broker login answered ${toUpstream.status}`);
  const callback = await upstreamLogin(browser, toUpstream.headers.get('location')!);
  return { response: await get(callback, browser.down), verifier };
}

export async function redeem(url: string, location: string, verifier: string): Promise<any> {
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  const response = await fetch(`${url}/realms/brokered/protocol/openid-connect/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'app', redirect_uri: APP_REDIRECT, code_verifier: verifier }) });
  return response.json();
}

/**
 * Puts a hardcoded claim `name` (dots nest it) into the upstream's tokens for the broker's client;
 * answers a setter that changes its value.
 */
export async function addUpstreamClaim(realms: BrokerRealms, name: string, value: string): Promise<(value: string) => Promise<void>> {
  const admin = realms.upstreamAdmin;
  const broker = (await admin.clients.find({ clientId: 'holdfast-broker' }))[0];
  const config = { 'claim.name': name, 'claim.value': value, 'jsonType.label': 'String', 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true' };
  const mapper = { name, protocol: 'openid-connect', protocolMapper: 'oidc-hardcoded-claim-mapper' };
  await admin.clients.addProtocolMapper({ id: broker.id! }, { ...mapper, config });
  const mapperId = (await admin.clients.listProtocolMappers({ id: broker.id! })).find((m) => m.name === name)!.id!;
  return (next) => admin.clients.updateProtocolMapper({ id: broker.id!, mapperId }, { id: mapperId, ...mapper, config: { ...config, 'claim.value': next } });
}

/** Adds an identity-provider mapper of type `identityProviderMapper` to the brokered realm's provider `upstream`. */
export async function addBrokerMapper(realms: BrokerRealms, name: string, identityProviderMapper: string, config: Record<string, string>): Promise<void> {
  await realms.brokeredAdmin.identityProviders.createMapper({ alias: 'upstream', identityProviderMapper: { name, identityProviderAlias: 'upstream', identityProviderMapper, config } });
}

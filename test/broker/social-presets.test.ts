/**
 * The social presets (issue #20.1) against a local stand-in at their configured base URL: for
 * google, microsoft, gitlab, github and facebook the browser goes from the login page's
 * "Sign in with" link to the preset's fixed authorization path below `baseUrl` with its default
 * scope, the broker redeems the code at the preset's token path (client_secret_post), checks the
 * ID token of the OpenID Connect ones against the stand-in's JWKS and nonce, reads the profile at
 * the preset's user-info path with the access token, and creates and links the local user from
 * that preset's claim names (GitHub's `login` and `name`, Facebook's `first_name`, GitLab's
 * `nickname`, Google's and Microsoft's `email` as the username). Google's `hostedDomain` sends `hd`
 * and admits only ID tokens of that domain; Microsoft's `tenantId` moves its endpoints.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { exportJWK, SignJWT } from 'jose';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { get } from '../support/browser.ts';
import { adminClient, startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { APP_REDIRECT, Browser, appAuthorization, socialLink } from './broker-support.ts';

interface Preset {
  alias: string;
  authorizationPath: string;
  tokenPath: string;
  userInfoPath: string;
  scope: string;
  openIdConnect: boolean;
  /** What the stand-in's profile answer (and ID token) says about the user. */
  profile: Record<string, unknown>;
  /** The local user the broker makes of it. */
  expected: { username: string; email: string; firstName: string; lastName: string; federatedUserId: string };
}

const PRESETS: Preset[] = [
  {
    alias: 'google',
    authorizationPath: '/o/oauth2/v2/auth',
    tokenPath: '/token',
    userInfoPath: '/v1/userinfo',
    scope: 'openid profile email',
    openIdConnect: true,
    profile: { sub: 'g-1', email: 'Gina@Gmail.example', email_verified: true, given_name: 'Gina', family_name: 'Google' },
    expected: { username: 'gina@gmail.example', email: 'gina@gmail.example', firstName: 'Gina', lastName: 'Google', federatedUserId: 'g-1' },
  },
  {
    alias: 'microsoft',
    authorizationPath: '/common/oauth2/v2.0/authorize',
    tokenPath: '/common/oauth2/v2.0/token',
    userInfoPath: '/common/oidc/userinfo',
    scope: 'openid profile email',
    openIdConnect: true,
    profile: { sub: 'ms-1', email: 'mia@outlook.example', given_name: 'Mia', family_name: 'Soft' },
    expected: { username: 'mia@outlook.example', email: 'mia@outlook.example', firstName: 'Mia', lastName: 'Soft', federatedUserId: 'ms-1' },
  },
  {
    alias: 'gitlab',
    authorizationPath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    userInfoPath: '/oauth/userinfo',
    scope: 'openid read_user',
    openIdConnect: true,
    profile: { sub: '42', nickname: 'Gitty', email: 'gitty@gitlab.example', given_name: 'Git', family_name: 'Lab' },
    expected: { username: 'gitty', email: 'gitty@gitlab.example', firstName: 'Git', lastName: 'Lab', federatedUserId: '42' },
  },
  {
    alias: 'github',
    authorizationPath: '/login/oauth/authorize',
    tokenPath: '/login/oauth/access_token',
    userInfoPath: '/user',
    scope: 'user:email',
    openIdConnect: false,
    profile: { id: 1001, login: 'Octo', email: 'octo@github.example', name: 'Octo Cat' },
    expected: { username: 'octo', email: 'octo@github.example', firstName: 'Octo', lastName: 'Cat', federatedUserId: '1001' },
  },
  {
    alias: 'facebook',
    authorizationPath: '/oauth/authorize',
    tokenPath: '/oauth/access_token',
    userInfoPath: '/me',
    scope: 'email',
    openIdConnect: false,
    profile: { id: 'fb-7', email: 'fay@facebook.example', first_name: 'Fay', last_name: 'Book' },
    expected: { username: 'fay@facebook.example', email: 'fay@facebook.example', firstName: 'Fay', lastName: 'Book', federatedUserId: 'fb-7' },
  },
];

interface Seen {
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  authorization?: string;
}

/** The stand-in for every preset: `/{alias}` is each one's base URL. */
class SocialStandIn {
  url = '';
  readonly seen: Seen[] = [];
  /** Claims that replace a preset's profile in its ID token and user info (a test's other account). */
  readonly profileOverrides = new Map<string, Record<string, unknown>>();
  private nonces = new Map<string, string>();
  private key!: KeyObject;
  private jwk!: Record<string, unknown>;
  private server = http.createServer((request, response) => void this.answer(request, response));

  async start(): Promise<void> {
    this.key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.jwk = { ...(await exportJWK(createPublicKey(this.key))), kid: 'social', alg: 'RS256', use: 'sig' };
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private async answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    let body = '';
    for await (const chunk of request) body += chunk;
    const [, alias, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    this.seen.push({ path: url.pathname, query: url.searchParams, form: new URLSearchParams(body), authorization: request.headers.authorization });
    const preset = PRESETS.find((p) => p.alias === alias);
    const profile = { ...preset?.profile, ...this.profileOverrides.get(alias) };
    const json = (status: number, value: unknown) => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (!preset) return json(404, { error: 'not_found' });
    if (path === '/jwks') return json(200, { keys: [this.jwk] });
    if (request.method === 'GET' && path === preset.authorizationPath) {
      // The user consents at once: back to the broker with a code, as the real one redirects.
      this.nonces.set(alias, url.searchParams.get('nonce') ?? '');
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', `code-${alias}`);
      back.searchParams.set('state', url.searchParams.get('state')!);
      return void response.writeHead(302, { location: back.href }).end();
    }
    if (request.method === 'POST' && path === preset.tokenPath) {
      const form = new URLSearchParams(body);
      if (form.get('code') !== `code-${alias}` || form.get('client_id') !== `${alias}-client` || form.get('client_secret') !== `${alias}-secret`) return json(400, { error: 'invalid_grant' });
      const tokens: Record<string, unknown> = { access_token: `at-${alias}`, token_type: 'Bearer', expires_in: 300 };
      if (preset.openIdConnect) {
        const now = Math.floor(Date.now() / 1000);
        tokens.id_token = await new SignJWT({ ...profile, nonce: this.nonces.get(alias) })
          .setProtectedHeader({ alg: 'RS256', kid: 'social' })
          .setIssuer(`${this.url}/${alias}`)
          .setAudience(`${alias}-client`)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(this.key);
      }
      return json(200, tokens);
    }
    if (request.method === 'GET' && path === preset.userInfoPath) {
      if (request.headers.authorization !== `Bearer at-${alias}`) return json(401, { error: 'invalid_token' });
      return json(200, profile);
    }
    return json(404, { error: 'not_found' });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
  }
}

describe('social presets against a local stand-in', () => {
  let server: AdminServer;
  let kc: KcAdminClient;
  const standIn = new SocialStandIn();

  before(async () => {
    await standIn.start();
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: 'brokered', enabled: true });
    kc = await adminClient(server.url, {}, 'brokered');
    await kc.clients.create({ clientId: 'app', publicClient: true, standardFlowEnabled: true, redirectUris: [APP_REDIRECT] });
    for (const preset of PRESETS) {
      const signature = preset.openIdConnect ? { validateSignature: 'true', useJwksUrl: 'true', jwksUrl: `${standIn.url}/${preset.alias}/jwks` } : {};
      await kc.identityProviders.create({ alias: preset.alias, providerId: preset.alias, trustEmail: true, config: { clientId: `${preset.alias}-client`, clientSecret: `${preset.alias}-secret`, baseUrl: `${standIn.url}/${preset.alias}`, syncMode: 'IMPORT', ...signature } });
    }
  });
  after(async () => {
    await server.close();
    await standIn.stop();
  });

  it('lists every preset on the login page', async () => {
    const html = await (await get(appAuthorization(server.url).url, new Browser().down)).text();
    for (const preset of PRESETS) assert.ok(socialLink(html, preset.alias).includes(`/broker/${preset.alias}/login`), preset.alias);
  });

  for (const preset of PRESETS) {
    it(`${preset.alias}: fixed paths below baseUrl, its default scope and claim names make and link the local user`, async () => {
      const browser = new Browser();
      const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
      const toUpstream = await get(socialLink(html, preset.alias), browser.down);
      assert.equal(toUpstream.status, 302);
      const authorize = new URL(toUpstream.headers.get('location')!);
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${standIn.url}/${preset.alias}${preset.authorizationPath}`);
      assert.equal(authorize.searchParams.get('client_id'), `${preset.alias}-client`);
      assert.equal(authorize.searchParams.get('scope'), preset.scope);
      assert.equal(authorize.searchParams.get('response_type'), 'code');
      assert.equal(authorize.searchParams.get('redirect_uri'), `${server.url}/realms/brokered/broker/${preset.alias}/endpoint`);

      const back = await fetch(authorize, { redirect: 'manual' });
      assert.equal(back.status, 302);
      const done = await get(back.headers.get('location')!, browser.down);
      assert.equal(done.status, 302, await done.clone().text());
      assert.ok(done.headers.get('location')!.startsWith(`${APP_REDIRECT}?`), done.headers.get('location')!);
      assert.ok(new URL(done.headers.get('location')!).searchParams.get('code'));

      const base = `/${preset.alias}`;
      const token = standIn.seen.find((s) => s.path === `${base}${preset.tokenPath}`);
      assert.equal(token?.form.get('grant_type'), 'authorization_code');
      assert.equal(token?.form.get('client_secret'), `${preset.alias}-secret`);
      const userInfo = standIn.seen.find((s) => s.path === `${base}${preset.userInfoPath}`);
      assert.equal(userInfo?.authorization, `Bearer at-${preset.alias}`);
      if (preset.alias === 'facebook') assert.equal(userInfo?.query.get('fields'), 'id,name,email,first_name,last_name');

      const [user] = await kc.users.find({ username: preset.expected.username, exact: true });
      assert.ok(user, `user ${preset.expected.username} created`);
      assert.deepEqual({ username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName, emailVerified: user.emailVerified }, { username: preset.expected.username, email: preset.expected.email, firstName: preset.expected.firstName, lastName: preset.expected.lastName, emailVerified: true });
      assert.deepEqual(await kc.users.listFederatedIdentities({ id: user.id! }), [{ identityProvider: preset.alias, userId: preset.expected.federatedUserId, userName: preset.expected.username }]);
    });
  }

  /** Through "Sign in with" of `alias` to the broker's answer to the stand-in's redirect. */
  const signIn = async (alias: string) => {
    const browser = new Browser();
    const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
    const authorize = new URL((await get(socialLink(html, alias), browser.down)).headers.get('location')!);
    const back = await fetch(authorize, { redirect: 'manual' });
    return { authorize, done: await get(back.headers.get('location')!, browser.down) };
  };
  const setConfig = async (alias: string, changes: Record<string, string>) => {
    const provider = (await kc.identityProviders.findOne({ alias }))!;
    await kc.identityProviders.update({ alias }, { ...provider, config: { ...provider.config, ...changes } });
  };

  it('google with hostedDomain asks for hd and admits only ID tokens of that domain, creating nobody else', async () => {
    await setConfig('google', { hostedDomain: 'corp.example' });
    try {
      const account = { sub: 'g-hd', email: 'hannah@corp.example', given_name: 'Hannah', family_name: 'Domain' };
      for (const hd of ['other.example', undefined]) {
        standIn.profileOverrides.set('google', { ...account, hd });
        const { authorize, done } = await signIn('google');
        assert.equal(authorize.searchParams.get('hd'), 'corp.example');
        assert.equal(done.status, 502, `hd ${hd}`);
        assert.match(await done.text(), /Unexpected error when authenticating with identity provider/);
        assert.deepEqual(await kc.users.find({ email: account.email, exact: true }), [], `hd ${hd}: nobody created`);
      }
      standIn.profileOverrides.set('google', { ...account, hd: 'corp.example' });
      const { done } = await signIn('google');
      assert.equal(done.status, 302, await done.clone().text());
      assert.ok(done.headers.get('location')!.startsWith(`${APP_REDIRECT}?`));
      assert.equal((await kc.users.find({ email: account.email, exact: true })).length, 1);

      // Several domains: Google is asked for any Workspace account, the ID token's domain must be listed.
      await setConfig('google', { hostedDomain: 'sales.example, corp.example' });
      const again = await signIn('google');
      assert.equal(again.authorize.searchParams.get('hd'), '*');
      assert.equal(again.done.status, 302);
      await setConfig('google', { hostedDomain: 'sales.example' });
      assert.equal((await signIn('google')).done.status, 502);
    } finally {
      standIn.profileOverrides.delete('google');
      await setConfig('google', { hostedDomain: '' });
    }
  });

  it("microsoft's tenantId moves its endpoints below the tenant", async () => {
    await setConfig('microsoft', { tenantId: 'contoso-tenant' });
    try {
      const browser = new Browser();
      const html = await (await get(appAuthorization(server.url).url, browser.down)).text();
      const authorize = new URL((await get(socialLink(html, 'microsoft'), browser.down)).headers.get('location')!);
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${standIn.url}/microsoft/contoso-tenant/oauth2/v2.0/authorize`);
    } finally {
      await setConfig('microsoft', { tenantId: '' });
    }
  });
});

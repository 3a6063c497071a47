/**
 * The soak's load (`npm run soak`), run in the load-generator child (load-generator.ts) on CPU 1:
 * a fixed set of loops, each paced by a think time and bounded by a deadline and an iteration
 * cap, every request by a timeout. Together they open, use and end (or abandon, for the sweeper
 * to reap) every kind of session holdfast stores: browser logins (code + PKCE through the form),
 * password grants (some offline), refreshes with and without rotation, userinfo, introspection,
 * logouts, revocations, logins that are opened and never finished, requests that must fail
 * (wrong passwords, forged tokens, replayed codes and refresh tokens) and admin API reads.
 * Each answer is checked against what it should be; counts go back as progress every interval.
 */
import { randomBytes } from 'node:crypto';
import { serveJobs } from './load-generator.ts';
import { basicAuth, loginWithCode } from './login-flow.ts';
import { holdfastTarget } from './scenarios.ts';
import { CookieJar, formAction, get, postForm } from '../test/support/browser.ts';
import { DEMO_SERVICE, authorizationRequest, codeThroughLogin, logoutWithRefreshToken, passwordGrant, redeemCode, refresh } from '../test/support/oidc-requests.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface MixJob {
  url: string;
  seconds: number;
  /** Counts are reported this often. */
  progressSeconds: number;
  /** The master realm's administrator (client admin-cli). */
  admin: Credentials;
  /** The demo user wrong passwords are aimed at, so that brute-force detection never locks alice. */
  decoy: string;
  /** A realm with refresh-token rotation on (`revokeRefreshToken`, reuse 0) and its confidential client. */
  rotation: { realm: string; clientId: string; secret: string; user: Credentials };
}

export interface OperationCounts {
  /** Answers that were what they should be (a bad request refused is `ok`). */
  ok: number;
  /** Answers below 500 that were not what they should be. */
  unexpected: number;
  serverErrors: number;
  /** Timeouts and connection errors. */
  noAnswer: number;
  /** The first few unexpected answers, to explain the counts. */
  samples: string[];
}

export interface MixProgress {
  elapsedSeconds: number;
  operations: Record<string, OperationCounts>;
}

/** Loops of each kind and their think time between iterations (ms). */
const LOOPS = {
  browser: { count: 2, thinkMs: 250 },
  password: { count: 2, thinkMs: 250 },
  rotation: { count: 1, thinkMs: 400 },
  authFlood: { count: 1, thinkMs: 50 },
  badRequests: { count: 1, thinkMs: 100 },
  adminReads: { count: 1, thinkMs: 1000 },
};
/** No loop runs more iterations than this per second of the job, whatever its think time. */
const MAX_ITERATIONS_PER_SECOND = 50;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_SAMPLES = 3;

const OIDC = '/protocol/openid-connect';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

type Answer = { status: number; body: any };
type Expectation = (answer: Answer) => boolean;

const is = (status: number): Expectation => (answer) => answer.status === status;
const refused: Expectation = (answer) => answer.status >= 400 && answer.status < 500;
const active = (expected: boolean): Expectation => (answer) => answer.status === 200 && answer.body?.active === expected;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token with the shape of a real one and a signature nobody made. */
function forge(token: string | undefined): string {
  if (!token) return `eyJhbGciOiJIUzUxMiJ9.${Buffer.from(JSON.stringify({ typ: 'Refresh', sid: 'forged' })).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
}

class Mix {
  readonly operations: Record<string, OperationCounts> = {};
  /** A real refresh token seen recently, for forgeries that look right. */
  private lastRefreshToken: string | undefined;
  private readonly base: string;
  private readonly deadline: number;
  private readonly maxIterations: number;

  constructor(private readonly job: MixJob) {
    this.base = job.url;
    this.deadline = Date.now() + job.seconds * 1000;
    this.maxIterations = Math.ceil(job.seconds * MAX_ITERATIONS_PER_SECOND);
  }

  async run(): Promise<void> {
    const loops: Array<[keyof typeof LOOPS, (iteration: number) => Promise<void>]> = [
      ['browser', (i) => this.browserSession(i)],
      ['password', (i) => this.passwordSession(i)],
      ['rotation', () => this.rotatingSession()],
      ['authFlood', () => this.abandonedLogin()],
      ['badRequests', (i) => this.badRequest(i)],
      ['adminReads', () => this.adminReads()],
    ];
    await Promise.all(loops.flatMap(([kind, body]) => Array.from({ length: LOOPS[kind].count }, () => this.loop(body, LOOPS[kind].thinkMs))));
  }

  private async loop(body: (iteration: number) => Promise<void>, thinkMs: number): Promise<void> {
    for (let iteration = 0; iteration < this.maxIterations && Date.now() < this.deadline; iteration++) {
      await body(iteration);
      await sleep(thinkMs);
    }
  }

  private counts(name: string): OperationCounts {
    return (this.operations[name] ??= { ok: 0, unexpected: 0, serverErrors: 0, noAnswer: 0, samples: [] });
  }

  /** Runs one request (or one multi-step flow), counts its outcome; the answer when it met `expected`. */
  private async check(name: string, work: () => Promise<Answer>, expected: Expectation): Promise<Answer | undefined> {
    const counts = this.counts(name);
    let answer: Answer;
    try {
      answer = await work();
    } catch (error) {
      const message = (error as Error).message;
      const status = /(?:got |\()(5\d\d)\b/.exec(message);
      if (status) counts.serverErrors++;
      else if (['TimeoutError', 'AbortError'].includes((error as Error).name) || /fetch failed/.test(message)) counts.noAnswer++;
      else counts.unexpected++;
      if (counts.samples.length < MAX_SAMPLES) counts.samples.push(message.slice(0, 300));
      return undefined;
    }
    if (expected(answer)) {
      counts.ok++;
      return answer;
    }
    if (answer.status >= 500) counts.serverErrors++;
    else counts.unexpected++;
    if (counts.samples.length < MAX_SAMPLES) counts.samples.push(`${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return undefined;
  }

  private async request(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(this.base + path, { redirect: 'manual', ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // an HTML page or an empty body
    }
    return { status: response.status, body };
  }

  private post(path: string, fields: Record<string, string>, authorization?: string): Promise<Answer> {
    return this.request(path, { method: 'POST', headers: { ...FORM, ...(authorization ? { authorization } : {}) }, body: new URLSearchParams(fields) });
  }

  private bearer(path: string, token: string): Promise<Answer> {
    return this.request(path, { headers: { authorization: `Bearer ${token}` } });
  }

  private introspect(token: string): Promise<Answer> {
    return this.post(`/realms/demo${OIDC}/token/introspect`, { token }, basicAuth(DEMO_SERVICE.client_id, DEMO_SERVICE.client_secret));
  }

  /** A browser login of the public SPA client, a few calls with its tokens, then logout, revocation or nothing. */
  private async browserSession(iteration: number): Promise<void> {
    const demo = `/realms/demo${OIDC}`;
    const login = await this.check('browser login (code + PKCE)', async () => ({ status: 200, body: await loginWithCode(holdfastTarget(this.base).login) }), is(200));
    if (!login) return;
    const spaRefresh = (token: string) => this.post(`${demo}/token`, { grant_type: 'refresh_token', refresh_token: token, client_id: 'demo-app' });
    const refreshed = await this.check('refresh (public client)', () => spaRefresh(login.body.refresh_token), is(200));
    const tokens = refreshed?.body ?? login.body;
    await this.check('userinfo', () => this.bearer(`${demo}/userinfo`, tokens.access_token), is(200));
    await this.check('introspection', () => this.introspect(tokens.access_token), active(true));
    const ending = iteration % 3;
    if (ending === 2) return; // abandoned: the sweeper's
    if (ending === 0) await this.check('logout (refresh token)', () => this.post(`${demo}/logout`, { client_id: 'demo-app', refresh_token: tokens.refresh_token }), is(204));
    else await this.check('revocation (refresh token)', () => this.post(`${demo}/revoke`, { client_id: 'demo-app', token: tokens.refresh_token, token_type_hint: 'refresh_token' }), is(200));
    await this.check('refresh after logout or revocation', () => spaRefresh(tokens.refresh_token), refused);
  }

  /** A password grant of the confidential client (every fourth one offline), its tokens used, then ended or abandoned. */
  private async passwordSession(iteration: number): Promise<void> {
    const demo = `/realms/demo${OIDC}`;
    const offline = iteration % 4 === 0;
    const granted = await this.check(offline ? 'password grant (offline_access)' : 'password grant', () => passwordGrant(this.base, 'alice', 'alice', offline ? 'openid offline_access' : 'openid'), is(200));
    if (!granted) return;
    const refreshed = await this.check('refresh', () => refresh(this.base, granted.body.refresh_token), is(200));
    const tokens = refreshed?.body ?? granted.body;
    this.lastRefreshToken = tokens.refresh_token;
    await this.check('userinfo', () => this.bearer(`${demo}/userinfo`, tokens.access_token), is(200));
    await this.check('introspection', () => this.introspect(tokens.access_token), active(true));
    const service = basicAuth(DEMO_SERVICE.client_id, DEMO_SERVICE.client_secret);
    await this.check('revocation (access token)', () => this.post(`${demo}/revoke`, { token: tokens.access_token, token_type_hint: 'access_token' }, service), is(200));
    await this.check('userinfo with a revoked token', () => this.bearer(`${demo}/userinfo`, tokens.access_token), is(401));
    await this.check('client_credentials', () => this.post(`${demo}/token`, { grant_type: 'client_credentials' }, service), is(200));
    // An offline token is ended by revocation (or not at all); an online one by logout as well.
    const ending = offline ? (iteration % 8 === 0 ? 1 : 2) : iteration % 3;
    if (ending === 2) return;
    if (ending === 0) await this.check('logout (refresh token)', async () => ({ status: await logoutWithRefreshToken(this.base, tokens.refresh_token), body: '' }), is(204));
    else await this.check('revocation (refresh token)', () => this.post(`${demo}/revoke`, { token: tokens.refresh_token, token_type_hint: 'refresh_token' }, service), is(200));
    await this.check('refresh after logout or revocation', () => refresh(this.base, tokens.refresh_token), refused);
  }

  /** Rotation: a chain of refreshes, each with the newest token, then a replay of the first, which must end the chain. */
  private async rotatingSession(): Promise<void> {
    const { realm, clientId, secret, user } = this.job.rotation;
    const token = `/realms/${realm}${OIDC}/token`;
    const auth = basicAuth(clientId, secret);
    const rotate = (refreshToken: string) => this.post(token, { grant_type: 'refresh_token', refresh_token: refreshToken }, auth);
    const granted = await this.check('password grant (rotation realm)', () => this.post(token, { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' }, auth), is(200));
    if (!granted) return;
    const first: string = granted.body.refresh_token;
    let newest = first;
    for (let step = 0; step < 3; step++) {
      // Staleness is judged in whole seconds (`iat` before the client session's last refresh), as
      // Keycloak does: a replay within the second of the newest refresh is honoured. The last
      // refresh of the chain therefore comes a second later, so the replay below must be refused.
      if (step === 2) await sleep(1100);
      const rotated = await this.check('refresh with rotation', () => rotate(newest), is(200));
      if (!rotated) return;
      newest = rotated.body.refresh_token;
    }
    await this.check('replayed rotated refresh token', () => rotate(first), refused);
    await this.check('refresh after a replay', () => rotate(newest), refused);
  }

  /** Opens the login page as a new browser and walks away: a login in progress that nobody finishes. */
  private async abandonedLogin(): Promise<void> {
    const { url } = authorizationRequest(this.base);
    await this.check('login page, never finished', () => this.request(url.slice(this.base.length)), is(200));
  }

  /** One request that must be refused (or, for introspection, answered inactive), in turn. */
  private async badRequest(iteration: number): Promise<void> {
    const demo = `/realms/demo${OIDC}`;
    const service = basicAuth(DEMO_SERVICE.client_id, DEMO_SERVICE.client_secret);
    const cases: Array<[string, () => Promise<Answer>, Expectation]> = [
      ['bad: wrong password (grant)', () => passwordGrant(this.base, this.job.decoy, 'wrong-password'), is(401)],
      ['bad: unknown user (grant)', () => passwordGrant(this.base, `nobody-${randomBytes(4).toString('hex')}`, 'x'), is(401)],
      ['bad: wrong password (login form)', () => this.wrongPasswordInForm(), (answer) => answer.status < 500 && answer.status !== 302],
      ['bad: forged refresh token', () => refresh(this.base, forge(this.lastRefreshToken)), refused],
      ['bad: forged bearer token', () => this.bearer(`${demo}/userinfo`, forge(this.lastRefreshToken)), is(401)],
      ['bad: forged token introspected', () => this.introspect(forge(this.lastRefreshToken)), active(false)],
      ['bad: wrong client secret', () => this.post(`${demo}/token`, { grant_type: 'client_credentials' }, basicAuth(DEMO_SERVICE.client_id, 'wrong-secret')), is(401)],
      ['bad: unsupported grant type', () => this.post(`${demo}/token`, { grant_type: 'urn:soak:none' }, service), refused],
      ['bad: JSON body on the token endpoint', () => this.request(`${demo}/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: service }, body: '{"grant_type":' }), refused],
      ['bad: admin API without a token', () => this.request('/admin/realms/demo'), is(401)],
      ['bad: replayed authorization code', () => this.replayedCode(), refused],
    ];
    const [name, work, expected] = cases[iteration % cases.length];
    await this.check(name, work, expected);
  }

  private async wrongPasswordInForm(): Promise<Answer> {
    const jar = new CookieJar();
    const page = await get(authorizationRequest(this.base).url, jar);
    const result = await postForm(formAction(await page.text()), { username: this.job.decoy, password: 'wrong-password', credentialId: '' }, jar);
    return { status: result.status, body: (await result.text()).slice(0, 200) };
  }

  /** Redeems a fresh code twice: the first must work (counted apart), the second is the bad request. */
  private async replayedCode(): Promise<Answer> {
    const issued = await codeThroughLogin(this.base);
    const first = await this.check('code redemption (for the replay)', () => redeemCode(this.base, issued), is(200));
    if (!first) throw new Error('the code to replay could not be redeemed');
    return redeemCode(this.base, issued);
  }

  /** The administrator signs in, reads a few resources and signs out. */
  private async adminReads(): Promise<void> {
    const master = `/realms/master${OIDC}`;
    const { username, password } = this.job.admin;
    const signedIn = await this.check('admin sign-in (admin-cli)', () => this.post(`${master}/token`, { grant_type: 'password', client_id: 'admin-cli', username, password }), is(200));
    if (!signedIn) return;
    for (const path of ['/admin/realms', '/admin/realms/demo', '/admin/realms/demo/users?max=20', '/admin/realms/demo/users/count', '/admin/realms/demo/clients', '/admin/realms/demo/client-session-stats']) {
      await this.check('admin API read', () => this.bearer(path, signedIn.body.access_token), is(200));
    }
    await this.check('admin sign-out', () => this.post(`${master}/logout`, { client_id: 'admin-cli', refresh_token: signedIn.body.refresh_token }), is(204));
  }
}

export async function runMix(job: MixJob, progress: (progress: MixProgress) => void): Promise<MixProgress> {
  const started = Date.now();
  const mix = new Mix(job);
  const snapshot = (): MixProgress => ({ elapsedSeconds: (Date.now() - started) / 1000, operations: mix.operations });
  const timer = setInterval(() => progress(snapshot()), job.progressSeconds * 1000);
  try {
    await mix.run();
  } finally {
    clearInterval(timer);
  }
  return snapshot();
}

if (process.send) serveJobs(runMix);

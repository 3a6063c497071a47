/**
 * What a client was told, for fault tests: logins (password grant, or the login form and a code),
 * refresh-token rotations and logouts of the demo realm, sent to real processes while their
 * database or the processes themselves fail. Every answer is sorted into acknowledged (the
 * outcome is recorded), unavailable (503 `temporarily_unavailable`, or no answer at all: the
 * outcome is unknown, so the session is not checked afterwards) or unexpected (anything else,
 * a 500 above all: the test fails). `verify` then checks that every acknowledged outcome holds.
 */
import { CookieJar, formAction, get, postForm } from './browser.ts';
import { DEMO_REDIRECT, DEMO_SERVICE, authorizationRequest } from './oidc-requests.ts';

export interface TrackedSession {
  /** The newest refresh token the client was given. */
  refreshToken: string;
  /** Tokens rotated away by an acknowledged refresh: never usable again. */
  consumed: string[];
  state: 'live' | 'loggedOut' | 'uncertain';
  /** A request on it is in flight: a concurrent one would be a replay, and end it. */
  busy: boolean;
}

export interface RedeemedCode {
  code: string;
  verifier: string;
}

type Answer = { kind: 'answer'; status: number; body: any; text: string } | { kind: 'unavailable'; why: string };

const TIMEOUT_MS = 15_000;

function isUnavailable(status: number, body: any): boolean {
  return status === 503 && body?.error === 'temporarily_unavailable';
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    return { kind: 'unavailable', why: String((error as Error).cause ?? error) };
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isUnavailable(response.status, body)) return { kind: 'unavailable', why: '503' };
  return { kind: 'answer', status: response.status, body, text };
}

const tokenEndpoint = (base: string) => `${base}/realms/demo/protocol/openid-connect/token`;
const formPost = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

export class Ledger {
  readonly sessions: TrackedSession[] = [];
  readonly redeemedCodes: RedeemedCode[] = [];
  /** Answers that are neither an acknowledgement nor a 503: each one is a failure. */
  readonly unexpected: string[] = [];
  acknowledged = 0;
  unavailable = 0;

  private note(what: string, answer: Answer & { kind: 'answer' }): void {
    this.unexpected.push(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  }

  /** A password-grant login; the session is tracked once acknowledged. */
  async passwordLogin(base: string): Promise<TrackedSession | undefined> {
    const answer = await send(tokenEndpoint(base), formPost({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid', ...DEMO_SERVICE }));
    return this.issued('password login', answer);
  }

  /** The login form, then the code redeemed; the code is remembered as used once acknowledged. */
  async codeLogin(base: string): Promise<TrackedSession | undefined> {
    const jar = new CookieJar();
    const { url, verifier } = authorizationRequest(base);
    let code: string | null;
    try {
      const page = await get(url, jar);
      const html = await page.text();
      if (page.status !== 200) return this.pageFailure('login page', page.status, html);
      const result = await postForm(formAction(html), { username: 'alice', password: 'alice', credentialId: '' }, jar);
      if (result.status !== 302) return this.pageFailure('login form', result.status, await result.text());
      code = new URL(result.headers.get('location')!).searchParams.get('code');
    } catch {
      this.unavailable += 1;
      return undefined;
    }
    if (!code) {
      this.unexpected.push('login form: redirect without a code');
      return undefined;
    }
    const answer = await send(tokenEndpoint(base), formPost({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: DEMO_REDIRECT, ...DEMO_SERVICE }));
    const session = this.issued('code redemption', answer);
    if (session) this.redeemedCodes.push({ code, verifier });
    return session;
  }

  /** One refresh: acknowledged, the new token replaces the old, which is then consumed. */
  async rotate(base: string, session: TrackedSession): Promise<void> {
    const answer = await send(tokenEndpoint(base), formPost({ grant_type: 'refresh_token', refresh_token: session.refreshToken, ...DEMO_SERVICE }));
    if (answer.kind === 'unavailable') return this.uncertain(session);
    if (answer.status !== 200) return this.note('refresh of a live session', answer);
    this.acknowledged += 1;
    session.consumed.push(session.refreshToken);
    session.refreshToken = answer.body.refresh_token;
  }

  async logout(base: string, session: TrackedSession): Promise<void> {
    const answer = await send(`${base}/realms/demo/protocol/openid-connect/logout`, formPost({ refresh_token: session.refreshToken, ...DEMO_SERVICE }));
    if (answer.kind === 'unavailable') return this.uncertain(session);
    if (answer.status !== 204) return this.note('logout', answer);
    this.acknowledged += 1;
    session.state = 'loggedOut';
  }

  /** A live session no request is using, chosen by `pick` (a random index below the count), or undefined. */
  live(pick: (count: number) => number): TrackedSession | undefined {
    const live = this.sessions.filter((s) => s.state === 'live' && !s.busy);
    return live.length === 0 ? undefined : live[pick(live.length)];
  }

  /**
   * Every acknowledged outcome, checked against `base` (a server that is up): live sessions
   * refresh with their newest token; logged-out ones answer `Session not active`; redeemed codes
   * `Code not valid`; and, last (a replay ends the client's session, as in Keycloak), a consumed
   * refresh token of each rotated session is refused. Returns the violations.
   */
  async verify(base: string, options: { rotation: boolean }): Promise<string[]> {
    const problems: string[] = [];
    const refresh = (token: string) => send(tokenEndpoint(base), formPost({ grant_type: 'refresh_token', refresh_token: token, ...DEMO_SERVICE }));
    for (const [index, session] of this.sessions.entries()) {
      if (session.state === 'uncertain') continue;
      const answer = await refresh(session.refreshToken);
      const got = answer.kind === 'answer' ? `${answer.status} ${answer.text.slice(0, 200)}` : answer.why;
      if (session.state === 'live') {
        if (answer.kind !== 'answer' || answer.status !== 200) problems.push(`session ${index}: acknowledged live, refresh got ${got}`);
        else {
          session.consumed.push(session.refreshToken);
          session.refreshToken = answer.body.refresh_token;
        }
      } else if (answer.kind !== 'answer' || answer.status !== 400 || answer.body?.error_description !== 'Session not active') {
        problems.push(`session ${index}: acknowledged logout, refresh got ${got}`);
      }
    }
    for (const [index, { code, verifier }] of this.redeemedCodes.entries()) {
      const answer = await send(tokenEndpoint(base), formPost({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: DEMO_REDIRECT, ...DEMO_SERVICE }));
      if (answer.kind !== 'answer' || answer.status !== 400 || answer.body?.error_description !== 'Code not valid') {
        problems.push(`code ${index}: redeemed before, a second redemption got ${answer.kind === 'answer' ? `${answer.status} ${answer.text}` : answer.why}`);
      }
    }
    if (options.rotation) {
      for (const [index, session] of this.sessions.entries()) {
        if (session.state !== 'live' || session.consumed.length === 0) continue;
        const answer = await refresh(session.consumed[session.consumed.length - 1]);
        if (answer.kind !== 'answer' || answer.status !== 400 || answer.body?.error !== 'invalid_grant') {
          problems.push(`session ${index}: a rotated-away refresh token got ${answer.kind === 'answer' ? `${answer.status} ${answer.text.slice(0, 200)}` : answer.why}`);
        }
      }
    }
    return problems;
  }

  private issued(what: string, answer: Answer): TrackedSession | undefined {
    if (answer.kind === 'unavailable') {
      this.unavailable += 1;
      return undefined;
    }
    if (answer.status !== 200) {
      this.note(what, answer);
      return undefined;
    }
    this.acknowledged += 1;
    const session: TrackedSession = { refreshToken: answer.body.refresh_token, consumed: [], state: 'live', busy: false };
    this.sessions.push(session);
    return session;
  }

  private uncertain(session: TrackedSession): void {
    this.unavailable += 1;
    session.state = 'uncertain';
  }

  private pageFailure(what: string, status: number, text: string): undefined {
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isUnavailable(status, body)) this.unavailable += 1;
    else this.unexpected.push(`${what}: ${status} ${text.slice(0, 300)}`);
    return undefined;
  }
}

/** Turns refresh-token rotation on in the demo realm (no reuse), through the admin API as an operator would. */
export async function enableRotation(base: string): Promise<void> {
  const token = await fetch(`${base}/realms/master/protocol/openid-connect/token`, formPost({ grant_type: 'password', client_id: 'admin-cli', username: 'admin', password: 'admin' }));
  if (token.status !== 200) throw new Error(`admin login: ${token.status} ${await token.text()}`);
  const { access_token } = (await token.json()) as { access_token: string };
  const update = await fetch(`${base}/admin/realms/demo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ revokeRefreshToken: true, refreshTokenMaxReuse: 0 }),
  });
  if (update.status !== 204) throw new Error(`enabling rotation: ${update.status} ${await update.text()}`);
}

/** A small seeded generator (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One step of a mixed load on `base`: mostly rotations of live sessions, then logins (every
 * third through the login form) and logouts, chosen by `random`.
 */
export async function mixedStep(ledger: Ledger, base: string, random: () => number): Promise<void> {
  const roll = random();
  const session = ledger.live((count) => Math.floor(random() * count));
  if (!session || roll < 0.25) {
    await (random() < 0.33 ? ledger.codeLogin(base) : ledger.passwordLogin(base));
    return;
  }
  session.busy = true;
  try {
    await (roll < 0.35 ? ledger.logout(base, session) : ledger.rotate(base, session));
  } finally {
    session.busy = false;
  }
}

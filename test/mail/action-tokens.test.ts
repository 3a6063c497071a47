/**
 * Action-token mails (issue 13.4/13.5) end to end, received by a real SMTP server: the
 * execute-actions and verify-email links work once, set what they promise (new password, verified
 * address), and answer Keycloak's pages for expired, replayed, tampered and foreign links without
 * changing anything; the admin endpoints check their input with Keycloak's messages; a link stays
 * single use across a kill -9 restart of a real process (SQLite) and across two nodes sharing
 * PostgreSQL, and one issued before a restart still works after it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import { newKeyEncryptionKeyText } from '../../src/crypto/index.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { buildBundle, startHoldfast, tempDir, writeKekFile } from '../support/process.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { adminClient, adminRequest, masterToken, startAdminServer, tokenFor, type AdminServer } from '../admin/admin-support.ts';

const REALM = 'links';
const EXPIRED = 'Action expired.';
const INVALID = 'An error occurred, please login again through your application.';

const linkIn = (text: string | undefined) => {
  const match = /(https?:\/\/\S+\/login-actions\/action-token\?\S+)/.exec(text ?? '');
  assert.ok(match, `no link in ${text}`);
  return match[1];
};
const formKey = (html: string) => /name="key" value="([^"]+)"/.exec(html)![1].replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
const pageMessage = (html: string) => /id="kc-(?:error|info)-message"[^>]*>([^<]*)</.exec(html)?.[1].replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

async function open(link: string) {
  const response = await fetch(link);
  return { status: response.status, html: await response.text() };
}

async function submitPassword(link: string, key: string, password: string, confirm = password) {
  const action = link.split('?')[0];
  const response = await fetch(action, { method: 'POST', body: new URLSearchParams({ key, 'password-new': password, 'password-confirm': confirm }) });
  return { status: response.status, html: await response.text() };
}

function smtpOf(sink: SmtpSink): Record<string, string> {
  return { host: '127.0.0.1', port: String(sink.port), from: 'noreply@example.com' };
}

describe('action-token mails', () => {
  let server: AdminServer;
  let sink: SmtpSink;
  let kc: KcAdminClient;
  let token: string;
  let userId: string;
  const login = (password: string) => tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username: 'dana', password });
  const executeActions = (actions: unknown, query = '') => adminRequest(server.url, token, 'PUT', `/${REALM}/users/${userId}/execute-actions-email${query}`, actions);

  before(async () => {
    sink = await startSmtpSink();
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true, smtpServer: smtpOf(sink) });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
    await kc.clients.create({ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true, redirectUris: ['http://localhost:3000/*'] });
    ({ id: userId } = await kc.users.create({ username: 'dana', email: 'dana@example.com', enabled: true, credentials: [{ type: 'password', value: 'old-password' }] }));
  });

  after(async () => {
    await server?.close();
    await sink?.stop();
  });

  it('execute-actions: the mail, the password form, the new password, once', async () => {
    const sent = sink.mails.length;
    const answer = await executeActions(['UPDATE_PASSWORD', 'VERIFY_EMAIL'], '?client_id=app&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fdone&lifespan=600');
    assert.equal(answer.status, 204, JSON.stringify(answer.body));
    const mail = await sink.nextMail(sent + 1);
    assert.equal(mail.subject, 'Update your account');
    assert.equal((mail.to as { text: string }).text, 'dana@example.com');
    assert.match(mail.text!, /Update password, Verify e-mail/);
    assert.match(mail.text!, /expires in 10 minutes/);
    const link = linkIn(mail.text);
    assert.match(String(mail.html), /<a href="http:\/\/127\.0\.0\.1:\d+\/realms\/links\/login-actions\/action-token\?key=/);

    const form = await open(link);
    assert.equal(form.status, 200);
    assert.match(form.html, /id="kc-passwd-update-form"/);
    const key = formKey(form.html);
    assert.equal((await kc.users.findOne({ id: userId }))!.emailVerified, true);

    const mismatch = await submitPassword(link, key, 'new-password', 'other');
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.html, /Passwords don&#39;t match\./);
    assert.equal((await login('old-password')).status, 200, 'a typo changes nothing');

    // The realm's password policy holds here too, and a refused password does not use the link up.
    await kc.realms.update({ realm: REALM }, { passwordPolicy: 'length(20)' });
    const weak = await submitPassword(link, key, 'new-password');
    assert.equal(weak.status, 400);
    assert.match(weak.html, /Invalid password: minimum length 20\./);
    assert.equal((await login('old-password')).status, 200, 'a refused password changes nothing');
    await kc.realms.update({ realm: REALM }, { passwordPolicy: '' });

    const done = await submitPassword(link, key, 'new-password');
    assert.equal(done.status, 200);
    assert.equal(pageMessage(done.html), 'Your account has been updated.');
    assert.match(done.html, /href="http:&#47;&#47;localhost:3000&#47;done"/);
    assert.equal((await login('new-password')).status, 200);
    assert.equal((await login('old-password')).status, 401);

    for (const replay of [await open(link), await submitPassword(link, key, 'third-password')]) {
      assert.equal(replay.status, 400);
      assert.equal(pageMessage(replay.html), EXPIRED);
    }
    assert.equal((await login('new-password')).status, 200, 'a replay changes nothing');
  });

  it('verify-email: confirms the address it was sent to, once; a changed address voids it', async () => {
    await kc.users.update({ id: userId }, { emailVerified: false, requiredActions: ['VERIFY_EMAIL'] });
    const sent = sink.mails.length;
    assert.equal((await adminRequest(server.url, token, 'PUT', `/${REALM}/users/${userId}/send-verify-email`)).status, 204);
    const mail = await sink.nextMail(sent + 1);
    assert.equal(mail.subject, 'Verify your e-mail address');
    assert.match(mail.text!, /expires in 12 hours/);
    const link = linkIn(mail.text);
    const page = await open(link);
    assert.equal(pageMessage(page.html), 'Your email address has been verified.');
    const user = (await kc.users.findOne({ id: userId }))!;
    assert.deepEqual([user.emailVerified, user.requiredActions], [true, []]);
    assert.equal(pageMessage((await open(link)).html), EXPIRED);

    await kc.users.update({ id: userId }, { emailVerified: false });
    assert.equal((await adminRequest(server.url, token, 'PUT', `/${REALM}/users/${userId}/send-verify-email`)).status, 204);
    const second = linkIn((await sink.nextMail(sent + 2)).text);
    await kc.users.update({ id: userId }, { email: 'someone-else@example.com' });
    const voided = await open(second);
    assert.deepEqual([voided.status, pageMessage(voided.html)], [400, INVALID]);
    assert.equal((await kc.users.findOne({ id: userId }))!.emailVerified, false);
    await kc.users.update({ id: userId }, { email: 'dana@example.com' });
  });

  it('refuses tampered, foreign and expired links, changing nothing', async () => {
    const sent = sink.mails.length;
    assert.equal((await executeActions(['VERIFY_EMAIL'], '?lifespan=1')).status, 204);
    const link = linkIn((await sink.nextMail(sent + 1)).text);
    const url = new URL(link);
    const key = url.searchParams.get('key')!;
    const [header, payload, signature] = key.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else', exp: claims.exp + 3600 })).toString('base64url')}.${signature}`;
    for (const bad of [`${key.slice(0, -2)}xx`, forged, 'garbage', '']) {
      url.searchParams.set('key', bad);
      const answer = await open(url.toString());
      assert.deepEqual([answer.status, pageMessage(answer.html)], [400, INVALID], bad);
    }
    // A link of another realm (another HMAC key) is no link here.
    await kc.realms.create({ realm: `${REALM}-other`, enabled: true });
    const otherRealm = new URL(link.replace(`/realms/${REALM}/`, `/realms/${REALM}-other/`));
    assert.equal(pageMessage((await open(otherRealm.toString())).html), INVALID);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await open(link);
    assert.deepEqual([expired.status, pageMessage(expired.html)], [400, EXPIRED]);
    assert.equal((await kc.users.findOne({ id: userId }))!.emailVerified, false);
  });

  it('forgot password: the same answer for every name, a link only for a real user, a new password', async () => {
    const decode = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
    const auth = `${server.url}/realms/${REALM}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'app', redirect_uri: 'http://localhost:3000/cb', response_type: 'code', scope: 'openid' })}`;
    const first = await fetch(auth);
    assert.doesNotMatch(await first.text(), /Forgot Password\?/, 'no link while resetPasswordAllowed is off');
    await kc.realms.update({ realm: REALM }, { resetPasswordAllowed: true });
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: true });
    const loginPage = await fetch(auth);
    const cookie = loginPage.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const forgot = decode(/id="kc-forgot-password" href="([^"]+)"/.exec(await loginPage.text())![1]);
    const resetForm = async () => {
      const response = await fetch(forgot, { headers: { cookie } });
      assert.equal(response.status, 200);
      return decode(/id="kc-reset-password-form" method="post" action="([^"]+)"/.exec(await response.text())![1]);
    };
    const ask = async (username: string, action?: string) => {
      const response = await fetch(action ?? (await resetForm()), { method: 'POST', headers: { cookie }, body: new URLSearchParams({ username }) });
      return { status: response.status, html: await response.text() };
    };
    const sent = sink.mails.length;
    const unknown = await ask('nobody-here');
    const known = await ask('dana@example.com');
    assert.deepEqual([unknown.status, pageMessage(unknown.html)], [200, 'You should receive an email shortly with further instructions.']);
    assert.equal(known.html, unknown.html, 'the answer does not tell which users exist');
    const mail = await sink.nextMail(sent + 1);
    assert.equal(mail.subject, 'Reset your password');
    assert.match(mail.text!, /expires in 5 minutes/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sink.mails.length, sent + 1, 'no mail for an unknown user');

    // Without the login's cookie, or with a stale session_code, nothing is sent.
    const action = await resetForm();
    assert.equal((await fetch(action, { method: 'POST', body: new URLSearchParams({ username: 'dana' }) })).status, 400);
    assert.match((await ask('dana', action.replace(/session_code=[^&]+/, 'session_code=forged'))).html, /id="kc-reset-password-form"/);
    assert.equal((await ask('')).status, 400);

    const link = linkIn(mail.text);
    const form = await open(link);
    const done = await submitPassword(link, formKey(form.html), 'reset-password');
    assert.equal(pageMessage(done.html), 'Your account has been updated.');
    assert.equal((await login('reset-password')).status, 200);
    assert.equal(pageMessage((await open(link)).html), EXPIRED);
    await server.holdfast.ctx.events.writer.flush();
    const events = await kc.realms.findEvents({ realm: REALM, type: ['SEND_RESET_PASSWORD', 'SEND_RESET_PASSWORD_ERROR', 'RESET_PASSWORD', 'EXECUTE_ACTION_TOKEN', 'EXECUTE_ACTION_TOKEN_ERROR'], max: 10 });
    assert.deepEqual(
      events.map((e) => [e.type, e.error, e.userId]).reverse(),
      [
        ['SEND_RESET_PASSWORD_ERROR', 'user_not_found', undefined],
        ['SEND_RESET_PASSWORD', undefined, userId],
        ['EXECUTE_ACTION_TOKEN', undefined, userId],
        ['RESET_PASSWORD', undefined, userId],
        ['EXECUTE_ACTION_TOKEN_ERROR', 'expired_code', userId],
      ],
    );
    await kc.realms.updateConfigEvents({ realm: REALM }, { eventsEnabled: false });
  });

  it("checks the admin request with Keycloak's messages", async () => {
    const message = async (answer: Promise<{ status: number; body: any }>) => {
      const { status, body } = await answer;
      return [status, body.errorMessage ?? body.error];
    };
    assert.deepEqual(await message(executeActions(['NOPE'])), [400, 'Provided invalid required actions']);
    assert.deepEqual(await message(executeActions([])), [400, 'Provided invalid required actions']);
    assert.deepEqual(await message(executeActions(['UPDATE_PASSWORD'], '?redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F')), [400, 'Client id missing']);
    assert.deepEqual(await message(executeActions(['UPDATE_PASSWORD'], '?client_id=nope')), [400, "Client doesn't exist"]);
    assert.deepEqual(await message(executeActions(['UPDATE_PASSWORD'], '?client_id=app&redirect_uri=https%3A%2F%2Fevil.example%2F')), [400, 'Invalid redirect uri.']);
    assert.deepEqual(await message(executeActions(['UPDATE_PASSWORD'], '?lifespan=-1')), [400, 'lifespan: expected a positive number of seconds']);
    assert.equal((await executeActions('{"not":"a list"}')).status, 400);
    const { id: noMail } = await kc.users.create({ username: 'nomail', enabled: true });
    assert.deepEqual(await message(adminRequest(server.url, token, 'PUT', `/${REALM}/users/${noMail}/execute-actions-email`, ['UPDATE_PASSWORD'])), [400, 'User email missing']);
    const { id: disabled } = await kc.users.create({ username: 'off', email: 'off@example.com', enabled: false });
    assert.deepEqual(await message(adminRequest(server.url, token, 'PUT', `/${REALM}/users/${disabled}/send-verify-email`)), [400, 'User is disabled']);
    await kc.realms.create({ realm: `${REALM}-nosmtp`, enabled: true });
    const bare = await adminClient(server.url, {}, `${REALM}-nosmtp`);
    const { id: bareUser } = await bare.users.create({ username: 'bare-user', email: 'u@example.com', enabled: true });
    assert.deepEqual(await message(adminRequest(server.url, token, 'PUT', `/${REALM}-nosmtp/users/${bareUser}/send-verify-email`)), [400, 'Failed to send verify email: the realm has no SMTP server']);
  });

  it('answers at once while the SMTP server is down, and the mail arrives once it is back', { timeout: 60_000 }, async () => {
    await sink.stop();
    try {
      const started = performance.now();
      assert.equal((await executeActions(['VERIFY_EMAIL'])).status, 204);
      assert.ok(performance.now() - started < 2000, 'the admin call did not wait for SMTP');
      const login = await tokenFor(server.url, REALM, { grant_type: 'password', client_id: 'app', client_secret: 'app-secret', username: 'dana', password: 'reset-password' });
      assert.equal(login.status, 200, 'logins go on while SMTP is down');
    } finally {
      await sink.start();
    }
    const sent = sink.mails.length;
    const mail = await sink.nextMail(sent + 1, 15_000);
    assert.equal(mail.subject, 'Update your account');
  });
});

describe('action-token links are single use across restarts and nodes', () => {
  let sink: SmtpSink;
  let database: FreshDatabase | undefined;

  before(async () => {
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.stop();
    await database?.drop();
  });

  /** Sets up demo's SMTP server and alice's address, and mails her an execute-actions link. */
  async function mailLink(url: string): Promise<string> {
    const kc = await adminClient(url, {}, 'demo');
    await kc.realms.update({ realm: 'demo' }, { smtpServer: smtpOf(sink) });
    const alice = (await kc.users.find({ username: 'alice', exact: true }))[0];
    await kc.users.update({ id: alice.id! }, { email: 'alice@example.com' });
    const sent = sink.mails.length;
    await kc.users.executeActionsEmail({ id: alice.id!, actions: ['VERIFY_EMAIL'] });
    return linkIn((await sink.nextMail(sent + 1)).text).replace(/^https?:\/\/[^/]+/, '{origin}');
  }
  const at = (link: string, url: string) => link.replace('{origin}', new URL(url).origin);

  it('a used link stays used after kill -9, and an unused one still works (real processes, SQLite)', async () => {
    const dataDir = tempDir();
    const bundle = await buildBundle();
    const args = ['--kek-file', writeKekFile(dataDir)];
    let node = await startHoldfast({ dataDir, bundle, args });
    try {
      const used = await mailLink(node.url);
      const kept = await mailLink(node.url);
      assert.equal(pageMessage((await open(at(used, node.url))).html), 'Your account has been updated.');
      await node.stop('SIGKILL');
      node = await startHoldfast({ dataDir, bundle, args, port: node.port });
      assert.equal(pageMessage((await open(at(used, node.url))).html), EXPIRED);
      assert.equal(pageMessage((await open(at(kept, node.url))).html), 'Your account has been updated.');
      assert.equal(pageMessage((await open(at(kept, node.url))).html), EXPIRED);
    } finally {
      await node.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a link used on one node is used on the other (PostgreSQL)', async () => {
    database = await freshDatabase();
    const kek = { variable: 'HOLDFAST_KEK', value: newKeyEncryptionKeyText() };
    // Both behind one public name, as behind a load balancer: the link's issuer is the same on both.
    const hostname = 'http://sso.example.test';
    const first = await startAdminServer({ db: 'postgres', dbUrl: database.url, kek, hostname });
    const second = await startAdminServer({ db: 'postgres', dbUrl: database.url, kek, hostname });
    try {
      const link = await mailLink(first.url);
      const results = await Promise.all([open(at(link, first.url)), open(at(link, second.url))]);
      assert.deepEqual(results.map((r) => pageMessage(r.html)).sort(), [EXPIRED, 'Your account has been updated.'].sort());
      assert.equal(pageMessage((await open(at(link, second.url))).html), EXPIRED);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

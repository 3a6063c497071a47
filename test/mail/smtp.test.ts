/**
 * E-mail (issue 13.4) against a real SMTP server started by the test (test/support/smtp-sink.ts):
 * the realm's smtpServer through the admin client (password sealed at rest, shown masked, kept
 * when the mask is sent back, bad settings refused and nothing written), testSMTPConnection as
 * Keycloak answers it (but a 400 with the cause where Keycloak answers 500), and the sender's
 * queue: sending never waits for SMTP, failures are retried, counted and logged, and a mail sent
 * while the server was down arrives once it is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type KcAdminClient from '@keycloak/keycloak-admin-client';
import pino from 'pino';
import { Registry } from 'prom-client';
import { MailSender, renderMail, type SmtpConfig } from '../../src/mail/index.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { adminClient, adminRequest, masterToken, startAdminServer, type AdminServer } from '../admin/admin-support.ts';

const REALM = 'mail';

describe('e-mail: realm SMTP settings and testSMTPConnection', () => {
  let server: AdminServer;
  let sink: SmtpSink;
  let kc: KcAdminClient;
  let token: string;
  const smtp = (overrides: Record<string, string> = {}) => ({
    host: '127.0.0.1',
    port: String(sink.port),
    from: 'noreply@example.com',
    fromDisplayName: 'Example',
    replyTo: 'help@example.com',
    auth: 'true',
    user: 'mailer',
    password: 'smtp-secret',
    ssl: 'false',
    starttls: 'false',
    ...overrides,
  });
  const test = (body: unknown) => adminRequest(server.url, token, 'POST', `/${REALM}/testSMTPConnection`, body);

  before(async () => {
    sink = await startSmtpSink({ user: 'mailer', password: 'smtp-secret' });
    server = await startAdminServer();
    const master = await adminClient(server.url);
    await master.realms.create({ realm: REALM, enabled: true, displayName: 'Mail Realm' });
    kc = await adminClient(server.url, {}, REALM);
    token = await masterToken(server.url);
  });

  after(async () => {
    await server?.close();
    await sink?.stop();
  });

  it('stores the password sealed and shows it masked, as Keycloak does', async () => {
    await kc.realms.update({ realm: REALM }, { smtpServer: smtp() });
    const shown = (await kc.realms.findOne({ realm: REALM }))!.smtpServer!;
    assert.deepEqual(shown, smtp({ password: '**********' }));
    const row = await server.holdfast.database.db.selectFrom('realm').select('settings').where('name', '=', REALM).executeTakeFirstOrThrow();
    assert.equal(row.settings.includes('smtp-secret'), false);
    // The admin console sends the GET body back: the mask keeps the stored password.
    await kc.realms.update({ realm: REALM }, { smtpServer: shown });
    assert.equal((await test(shown)).status, 204);
  });

  it('sends the test mail to the calling admin and answers 204', async () => {
    const received = sink.mails.length;
    assert.equal((await test(smtp())).status, 204);
    const mail = await sink.nextMail(received + 1);
    assert.equal(mail.subject, '[Mail Realm] SMTP test message');
    assert.deepEqual(mail.from?.value, [{ name: 'Example', address: 'noreply@example.com' }]);
    assert.deepEqual(mail.replyTo?.value, [{ name: '', address: 'help@example.com' }]);
    assert.equal((mail.to as { text: string }).text, 'admin@example.com');
    assert.match(mail.text ?? '', /realm Mail Realm/);
    assert.match(String(mail.html), /<b>Mail Realm<\/b>/);
  });

  it('answers what failed, and never a 500', async () => {
    assert.deepEqual((await test(smtp({ password: 'wrong' }))).body, { errorMessage: 'Failed to send email: the SMTP server refused the credentials' });
    const closed = await test(smtp({ port: '1' }));
    assert.deepEqual([closed.status, closed.body], [400, { errorMessage: 'Failed to send email: could not connect to the SMTP server' }]);
    assert.deepEqual((await test({ port: '25' })).body, { errorMessage: 'Failed to send email: host and from are required' });
    assert.equal((await test(smtp({ port: 'x' }))).status, 400);
    assert.equal((await test('[1]')).status, 400);
  });

  it('refuses SMTP settings that could never work, and keeps the stored ones', async () => {
    const before = (await kc.realms.findOne({ realm: REALM }))!.smtpServer;
    for (const [settings, message] of [
      [smtp({ port: '70000' }), /smtpServer\.port: expected a port number/],
      [smtp({ ssl: 'yes' }), /smtpServer\.ssl: expected 'true' or 'false'/],
      [smtp({ from: 'not an address' }), /smtpServer\.from: expected an e-mail address/],
      [{ ...smtp(), hots: 'typo' }, /smtpServer\.hots: unknown SMTP setting/],
      [smtp({ authType: 'token' }), /'token' is not supported/],
    ] as const) {
      const answer = await adminRequest(server.url, token, 'PUT', `/${REALM}`, { smtpServer: settings });
      assert.equal(answer.status, 400, JSON.stringify(settings));
      assert.match(answer.body.errorMessage, message);
    }
    assert.deepEqual((await kc.realms.findOne({ realm: REALM }))!.smtpServer, before);
  });

  it('needs an admin with an e-mail address', async () => {
    const master = await adminClient(server.url);
    const admin = (await master.users.find({ username: 'admin', exact: true }))[0];
    await master.users.update({ id: admin.id! }, { email: '' });
    try {
      assert.deepEqual((await test(smtp())).body, { errorMessage: 'Logged in user does not have an e-mail.' });
    } finally {
      await master.users.update({ id: admin.id! }, { email: 'admin@example.com' });
    }
  });

  before(async () => {
    // The demo's master admin has no e-mail address; the test mail goes to it.
    const master = await adminClient(server.url);
    const admin = (await master.users.find({ username: 'admin', exact: true }))[0];
    await master.users.update({ id: admin.id! }, { email: 'admin@example.com' });
  });
});

describe('e-mail: the sender queue', () => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  let sink: SmtpSink;
  const config = (): SmtpConfig => ({ host: '127.0.0.1', port: sink.port, ssl: false, starttls: false, from: 'noreply@example.com' });

  before(async () => {
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.stop();
  });

  it('never waits for a server that is down; retries, and delivers once it is back', async () => {
    const registry = new Registry();
    const sender = new MailSender({ log, registry, retryDelaysMs: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200], timeoutMs: 1000 });
    await sink.stop();
    const started = performance.now();
    assert.equal(sender.send(REALM, config(), renderMail('emailTest', 'user@example.com', ['Down'])), true);
    assert.ok(performance.now() - started < 50, 'send() returned without waiting for SMTP');
    // The first attempt fails and is logged while the server is down.
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('sending mail failed')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lines.some((l) => l.includes('sending mail failed') && !l.includes('Down')), 'failure logged without the message');
    await sink.start();
    const mail = await sink.nextMail(1);
    assert.equal(mail.subject, '[Down] SMTP test message');
    await sender.whenIdle();
    assert.match(await registry.metrics(), /holdfast_mail_sent_total\{realm="mail"\} 1/);
    await sender.close();
  });

  it('gives up after its attempts, counting the failure; a full queue drops and counts', async () => {
    const registry = new Registry();
    const sender = new MailSender({ log, registry, retryDelaysMs: [10], timeoutMs: 500, maxQueued: 1 });
    const nowhere = { ...config(), port: 1 };
    assert.equal(sender.send(REALM, nowhere, renderMail('emailTest', 'a@example.com', ['x'])), true);
    assert.equal(sender.send(REALM, nowhere, renderMail('emailTest', 'b@example.com', ['x'])), false);
    await sender.whenIdle();
    const metrics = await registry.metrics();
    assert.match(metrics, /holdfast_mail_failed_total\{realm="mail",reason="queue_full"\} 1/);
    assert.match(metrics, /holdfast_mail_failed_total\{realm="mail",reason="(ECONNECTION|ESOCKET)"\} 1/);
    await sender.close();
    assert.equal(sender.send(REALM, config(), renderMail('emailTest', 'c@example.com', ['x'])), false);
  });
});

/**
 * The first broker login's "Verify Existing Account by Email" against the real upstream realm,
 * with mails received by a real SMTP server: after "Add to existing account" a realm with SMTP
 * mails the existing account's address a link instead of asking its password; opened in the
 * login's browser it links the accounts and the login ends at the application (no password, no
 * one-time code), opened in another browser it lets the first one continue; the link works
 * once; "Try another way" goes to the password (the link then refused); nothing is linked
 * before the link is opened.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, get, postForm } from '../support/browser.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-support.ts';
import { APP_REDIRECT, Browser, appAuthorization, redeem, setUpBrokerRealms, socialLink, upstreamLogin, type BrokerRealms } from './broker-support.ts';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
const unescape = (value: string) => value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** The action of the page's form with `id`. */
function formWithId(html: string, id: string): string {
  const match = html.match(new RegExp(`<form id="${id}"[^>]*action="([^"]+)"`));
  if (!match) throw new Error(`no form ${id} in page: ${html.slice(0, 300)}`);
  return unescape(match[1]);
}

function linkIn(text: string | undefined): string {
  const match = /(https?:\/\/\S+\/login-actions\/action-token\?\S+)/.exec(text ?? '');
  assert.ok(match, `no link in ${text}`);
  return match[1];
}

describe('first broker login: verify the existing account by email', () => {
  let server: AdminServer;
  let realms: BrokerRealms;
  let sink: SmtpSink;

  before(async () => {
    sink = await startSmtpSink();
    server = await startAdminServer();
    realms = await setUpBrokerRealms(server);
    await realms.brokeredAdmin.realms.update({ realm: 'brokered' }, { smtpServer: { host: '127.0.0.1', port: String(sink.port), from: 'noreply@example.com' } });
    await realms.brokeredAdmin.realms.updateConfigEvents({ realm: 'brokered' }, { eventsEnabled: true });
    for (const name of ['erin', 'fred', 'gail']) {
      await realms.upstreamAdmin.users.create({ username: name, email: `${name}@example.com`, firstName: name, lastName: 'Up', emailVerified: true, enabled: true, credentials: [{ type: 'password', value: `${name}-pw`, temporary: false }] });
      await realms.brokeredAdmin.users.create({ username: `${name}-local`, email: `${name}@example.com`, firstName: name, lastName: 'Local', enabled: true, credentials: [{ type: 'password', value: `${name}-local-pw`, temporary: false }] });
    }
  });
  after(async () => {
    await server.close();
    await sink.stop();
  });

  const localUser = async (name: string) => (await realms.brokeredAdmin.users.find({ username: `${name}-local`, exact: true }))[0];
  const linksOf = async (name: string) => (await realms.brokeredAdmin.users.listFederatedIdentities({ id: (await localUser(name)).id! })).map((l) => [l.identityProvider, l.userName]);

  /** Through the upstream as `name` and "Add to existing account": the email page, and the mail it sent. */
  async function toEmailPage(browser: Browser, name: string): Promise<{ page: string; verifier: string; mail: Awaited<ReturnType<SmtpSink['nextMail']>> }> {
    const { url, verifier } = appAuthorization(server.url);
    const html = await (await get(url, browser.down)).text();
    const toUpstream = await get(socialLink(html, 'upstream'), browser.down);
    const callback = await upstreamLogin(browser, toUpstream.headers.get('location')!, name, `${name}-pw`);
    const confirm = await (await get(callback, browser.down)).text();
    assert.match(confirm, /Account already exists/);
    const count = sink.mails.length + 1;
    const emailPage = await postForm(formWithId(confirm, 'kc-register-form'), { submitAction: 'linkAccount' }, browser.down);
    assert.equal(emailPage.status, 200);
    const page = await emailPage.text();
    assert.match(page, /id="instruction1"/);
    assert.match(page, new RegExp(`Upstream account ${name}`));
    const mail = await sink.nextMail(count);
    assert.equal((mail.to as { text: string }).text, `${name}@example.com`);
    return { page, verifier, mail };
  }

  it('links the accounts when the mailed link is opened in the same browser, and the login ends at the application', async () => {
    const browser = new Browser();
    const { verifier, mail } = await toEmailPage(browser, 'erin');
    assert.match(mail.subject ?? '', /Link your brokered account with Upstream/);
    assert.deepEqual(await linksOf('erin'), [], 'nothing linked before the link is opened');

    const link = linkIn(mail.text);
    const opened = await get(link, browser.down);
    assert.equal(opened.status, 302, await opened.clone().text());
    const location = opened.headers.get('location')!;
    assert.ok(location.startsWith(`${APP_REDIRECT}?`), location);
    const tokens = await redeem(server.url, location, verifier);
    assert.equal(claimsOf(tokens.access_token).sub, (await localUser('erin')).id);
    assert.deepEqual(await linksOf('erin'), [['upstream', 'erin']]);

    // The link works once.
    const again = await get(link, new CookieJar());
    assert.equal(again.status, 400);
    assert.match(await again.text(), /Action expired/);
    await server.holdfast.ctx.events.writer.flush();
    const events = await realms.brokeredAdmin.realms.findEvents({ realm: 'brokered', type: ['SEND_IDENTITY_PROVIDER_LINK', 'IDENTITY_PROVIDER_LINK_ACCOUNT'] as never, user: (await localUser('erin')).id });
    assert.deepEqual(events.map((e) => e.type).sort(), ['IDENTITY_PROVIDER_LINK_ACCOUNT', 'SEND_IDENTITY_PROVIDER_LINK']);
  });

  it('opened in another browser, it lets the login continue in the first one', async () => {
    const browser = new Browser();
    const { page, verifier, mail } = await toEmailPage(browser, 'fred');
    const early = await postForm(formWithId(page, 'kc-idp-link-email-form'), { submitAction: 'continue' }, browser.down);
    assert.equal(early.status, 200);
    const earlyPage = await early.text();
    assert.match(earlyPage, /has not been opened yet/);
    assert.deepEqual(await linksOf('fred'), []);

    const elsewhere = await get(linkIn(mail.text), new CookieJar());
    assert.equal(elsewhere.status, 200);
    assert.match(await elsewhere.text(), /Go back to the browser you started in/);

    const done = await postForm(formWithId(earlyPage, 'kc-idp-link-email-form'), { submitAction: 'continue' }, browser.down);
    assert.equal(done.status, 302, await done.clone().text());
    const tokens = await redeem(server.url, done.headers.get('location')!, verifier);
    assert.equal(claimsOf(tokens.access_token).sub, (await localUser('fred')).id);
    assert.deepEqual(await linksOf('fred'), [['upstream', 'fred']]);
  });

  it('"Try another way" asks for the password instead, and the mailed link then links nothing', async () => {
    const browser = new Browser();
    const { page, verifier, mail } = await toEmailPage(browser, 'gail');
    const reauth = await postForm(formWithId(page, 'kc-select-try-another-way-form'), { tryAnotherWay: 'on' }, browser.down);
    assert.equal(reauth.status, 200);
    const reauthPage = await reauth.text();
    assert.match(reauthPage, /Authenticate to link your account with Upstream/);

    const stale = await get(linkIn(mail.text), browser.down);
    assert.equal(stale.status, 400, 'the login no longer waits for the link');
    assert.deepEqual(await linksOf('gail'), []);

    const done = await postForm(formWithId(reauthPage, 'kc-form-login'), { username: 'gail-local', password: 'gail-local-pw' }, browser.down);
    assert.equal(done.status, 302, await done.clone().text());
    await redeem(server.url, done.headers.get('location')!, verifier);
    assert.deepEqual(await linksOf('gail'), [['upstream', 'gail']]);
  });
});

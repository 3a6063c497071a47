/**
 * `POST /admin/realms/{realm}/testSMTPConnection`: sends a test mail with the SMTP settings in the
 * body (a password of `**********` means the stored one) to the calling admin's own address, as
 * Keycloak does, and waits for the SMTP server's answer. Unlike Keycloak (a 500), a failure is a
 * 400 that says which step failed (connection, TLS, authentication), so the admin can fix it.
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { adminBadRequest } from '../../errors/index.ts';
import { SECRET_MASK, checkSmtpServer, renderMail, smtpConfig } from '../../mail/index.ts';
import { adminScope, readBody, shapeToAdminError } from '../admin-request.ts';
import { ShapeError, stringMap } from '../json-shape.ts';

const FAILED = 'Failed to send email';

/** nodemailer's error codes, as a cause an admin can act on (never the server's full reply). */
const CAUSES: Record<string, string> = {
  ECONNECTION: 'could not connect to the SMTP server',
  ETIMEDOUT: 'the SMTP server did not answer in time',
  ESOCKET: 'could not connect to the SMTP server',
  ETLS: 'TLS with the SMTP server failed',
  EAUTH: 'the SMTP server refused the credentials',
  EENVELOPE: 'the SMTP server refused the sender or recipient',
  EMESSAGE: 'the SMTP server refused the message',
  EPROTOCOL: 'the SMTP server answered unexpectedly',
  EDNS: 'the SMTP host name could not be resolved',
};

export async function smtpTestRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  app.post('/admin/realms/:realm/testSMTPConnection', async (request, reply) => {
    const { identity, realm } = await adminScope(ctx, request, 'manage-realm');
    const given = readBody(request, stringMap);
    try {
      checkSmtpServer(given);
    } catch (error) {
      throw shapeToAdminError(error as ShapeError);
    }
    const to = identity.user.user.email;
    if (!to) throw adminBadRequest('Logged in user does not have an e-mail.');
    const stored = realm.realm.settings.smtpServer;
    const usesStored = given.password === SECRET_MASK && stored.password !== undefined;
    const settings = usesStored ? { ...given, password: stored.password } : given;
    const smtp = smtpConfig(settings, realm.keys.sealKey, realm.realm.id, usesStored);
    if (!smtp) throw adminBadRequest(`${FAILED}: host and from are required`);
    try {
      await ctx.mail.sendNow(smtp, renderMail('emailTest', to, [realm.realm.settings.displayName ?? realm.realm.name]));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      request.log.warn({ realm: realm.realm.name, host: smtp.host, port: smtp.port, code, err: error }, 'SMTP test failed');
      throw adminBadRequest(`${FAILED}: ${CAUSES[code] ?? 'the SMTP server refused it'}`);
    }
    return reply.code(204).send();
  });
}

/**
 * The pages behind an e-mail link: the new-password form (the theme's `login-update-password`,
 * Keycloak's `password-new` and `password-confirm` inputs and `kc-passwd-update-form` id) and the
 * info page that ends a link, with a way back to the application when the link named one. Both
 * are in the language of the user the link is for.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import type { LoadedRealm, User } from '../realm/index.ts';
import { sendPage } from '../theme/index.ts';

export interface LinkPageScope {
  ctx: Context;
  request: FastifyRequest;
  reply: FastifyReply;
  realm: LoadedRealm;
  user?: User;
}

/** `error`: a message key or text about the new password; the form then answers 400. */
export function sendPasswordForm({ ctx, request, reply, realm, user }: LinkPageScope, action: string, key: string, error?: string): Promise<FastifyReply> {
  const field = error === 'notMatchPasswordMessage' ? 'password-confirm' : 'password-new';
  return sendPage(ctx, reply, { request, realm, user }, {
    template: 'login-update-password',
    title: 'updatePasswordTitle',
    data: { action, hidden: [{ name: 'key', value: key }], logoutSessions: false },
    message: error ? { error, field } : {},
    status: error ? 400 : 200,
  });
}

/** `header`: the page's title when it differs from the message (Keycloak's `messageHeader`). */
export function sendInfoPage({ ctx, request, reply, realm, user }: LinkPageScope, message: string, backTo?: string, header = message): Promise<FastifyReply> {
  return sendPage(ctx, reply, { request, realm, user }, { template: 'info', title: header, data: { text: message, backTo } });
}

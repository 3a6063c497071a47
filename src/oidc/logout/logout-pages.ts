/** The logout confirmation page and the "You are logged out" page (the theme's `logout-confirm` and `logged-out`). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/realm-service.ts';
import { sendPage } from '../../theme/index.ts';

export function sendConfirmation(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm, action: string, logoutCode: string): Promise<FastifyReply> {
  return sendPage(ctx, reply, { request, realm }, { template: 'logout-confirm', title: 'logoutConfirmTitle', data: { action, sessionCode: logoutCode } });
}

export function sendLoggedOut(ctx: Context, request: FastifyRequest, reply: FastifyReply, realm: LoadedRealm): Promise<FastifyReply> {
  return sendPage(ctx, reply, { request, realm }, { template: 'logged-out', title: 'successLogout' });
}

/** Every OpenID Connect route of a realm, one plugin per endpoint. */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { authRoutes } from './auth/index.ts';
import { certsRoutes } from './certs/index.ts';
import { discoveryRoutes } from './discovery/index.ts';
import { iframeRoutes } from './iframes/index.ts';
import { loginRoutes } from './login/index.ts';
import { brokerRoutes } from './broker/index.ts';
import { tokenRoutes } from './token/index.ts';
import { userinfoRoutes } from './userinfo/index.ts';
import { introspectRoutes } from './introspect/index.ts';
import { revokeRoutes } from './revoke/index.ts';
import { logoutRoutes } from './logout/index.ts';
import { parRoutes } from './par/index.ts';
import { deviceRoutes } from './device/index.ts';

export async function oidcRoutes(app: FastifyInstance, options: { ctx: Context }): Promise<void> {
  for (const routes of [discoveryRoutes, certsRoutes, iframeRoutes, authRoutes, loginRoutes, brokerRoutes, tokenRoutes, userinfoRoutes, introspectRoutes, revokeRoutes, logoutRoutes, parRoutes, deviceRoutes]) {
    await app.register(routes, options);
  }
}

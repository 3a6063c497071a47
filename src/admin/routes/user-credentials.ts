/**
 * `/users/{id}/credentials`: a user's credentials as Keycloak's admin API shows them (never the
 * secret part), deleting one, labelling one, and reordering them (`moveToFirst`,
 * `moveAfter/{newPreviousId}`), which is the order a login offers them in. Also
 * `configured-user-storage-credential-types`, always empty: holdfast has no user federation.
 * Changes need manage-users and every admin role the user holds (role-grants.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { AdminError, adminBadRequest, adminNotFound } from '../../errors/index.ts';
import type { RealmRepository, StoredCredential } from '../../realm/index.ts';
import { findUser } from '../admin-lookups.ts';
import { adminScope } from '../admin-request.ts';
import { requireActOnUser } from '../role-grants.ts';
import { toCredentialRepresentation } from '../representations/credential.ts';

/** Keycloak spaces priorities by ten when it renumbers a user's credentials. */
const PRIORITY_STEP = 10;
/** Keycloak's column width for labels. */
const MAX_LABEL = 255;

interface CredentialParams {
  id: string;
  credentialId: string;
  newPreviousCredentialId?: string;
}

function credentialIn(credentials: StoredCredential[], id: string): StoredCredential {
  const found = credentials.find((c) => c.id === id);
  if (!found) throw adminNotFound('Credential not found');
  return found;
}

/** Writes the new order as priorities 10, 20, 30…, one transaction with the read it is based on. */
async function reorder(repository: RealmRepository, userId: string, order: (credentials: StoredCredential[]) => StoredCredential[]): Promise<void> {
  await repository.transaction(async (tx) => {
    const credentials = order(await tx.listCredentials(userId));
    await tx.setCredentialPriorities(
      userId,
      credentials.map((c, i) => ({ id: c.id, priority: (i + 1) * PRIORITY_STEP })),
    );
  });
}

function labelOf(request: FastifyRequest): string {
  if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain')) {
    throw new AdminError(415, { error: 'The content-type header value did not match the value in @Consumes' });
  }
  const label = typeof request.body === 'string' ? request.body : '';
  if (label.trim() === '') throw new AdminError(400, { error: 'missingCredentialLabel', error_description: 'Credential label must not be empty' });
  if (label.length > MAX_LABEL) throw adminBadRequest(`userLabel: at most ${MAX_LABEL} characters`, 'userLabel');
  return label;
}

export async function userCredentialRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const repository = ctx.realms.repository;

  /** The user of the path, checked for the caller's right to change them. */
  async function userToChange(request: FastifyRequest) {
    const { identity, realm } = await adminScope(ctx, request, 'manage-users');
    const user = await findUser(ctx, realm, (request.params as CredentialParams).id);
    await requireActOnUser(ctx, identity, realm, user);
    return user;
  }

  app.get('/admin/realms/:realm/users/:id/credentials', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    const user = await findUser(ctx, realm, (request.params as CredentialParams).id);
    return (await repository.listCredentials(user.id)).map(toCredentialRepresentation);
  });

  app.get('/admin/realms/:realm/users/:id/configured-user-storage-credential-types', async (request) => {
    const { realm } = await adminScope(ctx, request, 'view-users');
    await findUser(ctx, realm, (request.params as CredentialParams).id);
    return [];
  });

  app.delete('/admin/realms/:realm/users/:id/credentials/:credentialId', async (request, reply) => {
    const user = await userToChange(request);
    const { credentialId } = request.params as CredentialParams;
    await repository.transaction(async (tx) => {
      credentialIn(await tx.listCredentials(user.id), credentialId);
      await tx.deleteCredential(user.id, credentialId);
    });
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  app.put('/admin/realms/:realm/users/:id/credentials/:credentialId/userLabel', async (request, reply) => {
    const user = await userToChange(request);
    const { credentialId } = request.params as CredentialParams;
    const label = labelOf(request);
    await repository.transaction(async (tx) => {
      credentialIn(await tx.listCredentials(user.id), credentialId);
      await tx.updateCredentialLabel(user.id, credentialId, label);
    });
    return reply.code(204).send();
  });

  app.post('/admin/realms/:realm/users/:id/credentials/:credentialId/moveToFirst', async (request, reply) => {
    const user = await userToChange(request);
    const { credentialId } = request.params as CredentialParams;
    await reorder(repository, user.id, (credentials) => {
      const moved = credentialIn(credentials, credentialId);
      return [moved, ...credentials.filter((c) => c !== moved)];
    });
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });

  app.post('/admin/realms/:realm/users/:id/credentials/:credentialId/moveAfter/:newPreviousCredentialId', async (request, reply) => {
    const user = await userToChange(request);
    const { credentialId, newPreviousCredentialId } = request.params as CredentialParams;
    if (credentialId === newPreviousCredentialId) throw adminBadRequest('A credential cannot be moved after itself');
    await reorder(repository, user.id, (credentials) => {
      const moved = credentialIn(credentials, credentialId);
      const rest = credentials.filter((c) => c !== moved);
      const previous = credentialIn(rest, newPreviousCredentialId!);
      rest.splice(rest.indexOf(previous) + 1, 0, moved);
      return rest;
    });
    await ctx.realms.userChanged(user.id);
    return reply.code(204).send();
  });
}

/**
 * `/account/credentials`: the user's credentials grouped by type as Keycloak's account API shows
 * them (one container per credential type the realm's flows use — password and OTP in holdfast —
 * with its display keys, the required action that creates or updates it, whether it can be
 * removed, and the user's credentials of that type without their secrets), removing one
 * (`DELETE …/{id}`: only removable types, with Keycloak's level-of-authentication check on the
 * token's `acr`), and labelling one (`PUT …/{id}/label`, a JSON string).
 */
import type { FastifyInstance } from 'fastify';
import type { Context } from '../context.ts';
import { AdminError } from '../errors/index.ts';
import { acrLoaMap } from '../oidc/auth/index.ts';
import { toCredentialRepresentation } from '../admin/index.ts';
import type { StoredCredential } from '../realm/index.ts';
import { forbidden, notFound, requireOneOf, type AccountCaller } from './account-auth.ts';
import { accountCaller, accountPaths, queryFlag, queryText } from './account-request.ts';

/** What Keycloak's credential provider says about its type (CredentialTypeMetadata). */
interface CredentialType {
  type: string;
  category: string;
  displayName: string;
  helptext: string;
  iconCssClass: string;
  /** The required action that sets one up, and whether it is offered as create or update. */
  action: (configured: boolean) => { createAction?: string; updateAction?: string };
  removeable: boolean;
}

/** The types holdfast's login flows use, in Keycloak's order (by category). */
const CREDENTIAL_TYPES: CredentialType[] = [
  {
    type: 'password',
    category: 'basic-authentication',
    displayName: 'password-display-name',
    helptext: 'password-help-text',
    iconCssClass: 'kcAuthenticatorPasswordClass',
    action: (configured) => (configured ? { updateAction: 'UPDATE_PASSWORD' } : { createAction: 'UPDATE_PASSWORD' }),
    removeable: false,
  },
  {
    type: 'otp',
    category: 'two-factor',
    displayName: 'otp-display-name',
    helptext: 'otp-help-text',
    iconCssClass: 'kcAuthenticatorOTPClass',
    action: () => ({ createAction: 'CONFIGURE_TOTP' }),
    removeable: true,
  },
];

const MAX_LABEL = 255;
const MAX_ID = 255;

/** A required action is offered only while the realm has it enabled. */
function enabledActions(caller: AccountCaller, actions: { createAction?: string; updateAction?: string }): Record<string, string> {
  const enabled = (alias: string | undefined) => alias !== undefined && caller.realm.realm.settings.requiredActions.some((a) => a.alias === alias && a.enabled);
  return {
    ...(enabled(actions.createAction) ? { createAction: actions.createAction! } : {}),
    ...(enabled(actions.updateAction) ? { updateAction: actions.updateAction! } : {}),
  };
}

/** The token's level of authentication, as Keycloak reads it for removing a credential (403 when it cannot). */
function authenticatedLevel(caller: AccountCaller): number {
  const acr = caller.claims.acr;
  if (acr === undefined) throw new AdminError(403, { error: 'No LoA on the token' });
  const client = caller.realm.clientsByClientId.get(caller.claims.azp);
  const mapped = client ? acrLoaMap(caller.realm, client).get(acr) : undefined;
  if (mapped !== undefined) return mapped;
  if (!/^-?\d{1,9}$/.test(acr)) throw new AdminError(403, { error: 'Unsupported acr on the token' });
  return Number(acr);
}

/** Holdfast's flows ask for no level to remove a credential (Keycloak's NO_LOA, -1). */
const LEVEL_TO_REMOVE = -1;

export async function credentialRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  const repository = ctx.realms.repository;

  for (const path of accountPaths('/credentials')) {
    app.get(path, async (request) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-profile');
      const type = queryText(request, 'type');
      const withCredentials = queryFlag(request, 'user-credentials') ?? true;
      const credentials = withCredentials ? await repository.listCredentials(caller.user.user.id) : [];
      const containers: Record<string, unknown>[] = [];
      for (const metadata of CREDENTIAL_TYPES) {
        if (type !== undefined && type !== metadata.type) continue;
        const own = credentials.filter((c) => c.type === metadata.type);
        const actions = enabledActions(caller, metadata.action(own.length > 0));
        // A type the user has none of and cannot set up here is left out (Keycloak: nothing to do with it).
        if (withCredentials && own.length === 0 && Object.keys(actions).length === 0) continue;
        containers.push({
          type: metadata.type,
          category: metadata.category,
          displayName: metadata.displayName,
          helptext: metadata.helptext,
          iconCssClass: metadata.iconCssClass,
          ...actions,
          removeable: metadata.removeable,
          ...(withCredentials ? { userCredentialMetadatas: own.map((c) => ({ credential: toCredentialRepresentation(c) })) } : {}),
        });
      }
      return containers;
    });
  }

  async function ownCredential(caller: AccountCaller, id: string): Promise<StoredCredential> {
    const credential = id.length <= MAX_ID ? (await repository.listCredentials(caller.user.user.id)).find((c) => c.id === id) : undefined;
    if (!credential) throw notFound('Credential not found');
    return credential;
  }

  app.delete('/realms/:realm/account/credentials/:id', async (request, reply) => {
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account');
    const credential = await ownCredential(caller, (request.params as { id: string }).id);
    const metadata = CREDENTIAL_TYPES.find((t) => t.type === credential.type);
    if (!metadata) throw notFound('Credential provider not found');
    if (!metadata.removeable) throw new AdminError(400, { error: 'Credential type cannot be removed' });
    if (authenticatedLevel(caller) < LEVEL_TO_REMOVE) throw forbidden();
    await repository.deleteCredential(caller.user.user.id, credential.id);
    await ctx.realms.userChanged(caller.user.user.id);
    const removed = (type: 'REMOVE_CREDENTIAL' | 'REMOVE_TOTP') =>
      ctx.events.recorder
        .user(caller.realm, type, request)
        .client(caller.accountClient.clientId)
        .user(caller.user.user.id)
        .detail('credential_type', credential.type)
        .detail('selected_credential_id', credential.id)
        .detail('credential_user_label', credential.userLabel)
        .success();
    if (credential.type === 'otp') removed('REMOVE_TOTP');
    removed('REMOVE_CREDENTIAL');
    return reply.code(204).send();
  });

  app.put('/realms/:realm/account/credentials/:id/label', async (request, reply) => {
    const caller = accountCaller(request);
    requireOneOf(caller, 'manage-account');
    const credential = await ownCredential(caller, (request.params as { id: string }).id);
    const label = request.body;
    if (typeof label !== 'string' || label.length > MAX_LABEL) throw new AdminError(400, { errorMessage: 'invalidRequestMessage' });
    await repository.updateCredentialLabel(caller.user.user.id, credential.id, label);
    return reply.code(204).send();
  });
}

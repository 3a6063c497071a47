/**
 * `grant_type=client_credentials`: a confidential client acting as its service-account user.
 * The session is transient, as in Keycloak 26: nothing is stored and no refresh token is issued,
 * unless the client sets `client_credentials.use_refresh_token` = `true`: then, as in Keycloak,
 * a stored session with a refresh token.
 */
import { invalidRequest, unauthorizedClient } from '../../../errors/index.ts';
import { grantScopes } from '../../tokens/index.ts';
import { respondWithTokens, type GrantHandler } from './grant.ts';
import { scopeGrantOf } from '../../../realm/index.ts';

export const clientCredentialsGrant: GrantHandler = async (grant) => {
  const { ctx, realm, client, form, request } = grant;
  if (client.publicClient) throw unauthorizedClient('Public client not allowed to retrieve service account');
  if (!client.serviceAccountsEnabled) throw unauthorizedClient('Client not enabled to retrieve service account');
  const account = await ctx.realms.repository.findUserByUsername(realm.realm.id, `service-account-${client.clientId}`);
  const user = account && account.serviceAccountClientId === client.id ? await ctx.realms.getUserView(realm, account.id) : undefined;
  if (!user) throw unauthorizedClient('Client not enabled to retrieve service account');
  if (!user.user.enabled) throw invalidRequest(`User '${user.user.username}' disabled`);
  const scopes = grantScopes(scopeGrantOf(realm, client), form.get('scope'));
  const persistent = client.attributes['client_credentials.use_refresh_token'] === 'true';
  const settings = realm.realm.settings;
  const session = persistent ? await ctx.sessions.create(settings, { realmId: realm.realm.id, userId: user.user.id, rememberMe: false, ipAddress: request.clientConnection.address }) : undefined;
  const clientSession = session ? await ctx.sessions.attachClient(settings, session, client, scopes.value) : undefined;
  return respondWithTokens(grant, {
    user,
    session,
    clientSession,
    scopes,
    grant: 'cc',
    acr: '1',
    includeRefreshToken: persistent,
    extraClaims: { clientHost: request.clientConnection.address, clientAddress: request.clientConnection.address },
  });
};

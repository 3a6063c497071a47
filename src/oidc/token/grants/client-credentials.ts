/**
 * `grant_type=client_credentials`: a confidential client acting as its service-account user.
 * The session is transient, as in Keycloak 26: nothing is stored and no refresh token is issued.
 */
import { invalidRequest, unauthorizedClient } from '../../../errors/index.ts';
import { grantScopes, issueTokens } from '../../tokens/index.ts';
import type { GrantHandler } from './grant.ts';

export const clientCredentialsGrant: GrantHandler = async ({ ctx, realm, issuer, client, form, request }) => {
  if (client.publicClient) throw unauthorizedClient('Public client not allowed to retrieve service account');
  if (!client.serviceAccountsEnabled) throw unauthorizedClient('Client not enabled to retrieve service account');
  const account = await ctx.realms.repository.findUserByUsername(realm.realm.id, `service-account-${client.clientId}`);
  const user = account && account.serviceAccountClientId === client.id ? await ctx.realms.getUserView(realm, account.id) : undefined;
  if (!user) throw unauthorizedClient('Client not enabled to retrieve service account');
  if (!user.user.enabled) throw invalidRequest(`User '${user.user.username}' disabled`);
  const scopes = grantScopes(client, form.get('scope'));
  const { response } = await issueTokens({
    realm,
    issuer,
    client,
    user,
    scopes,
    grant: 'cc',
    acr: '1',
    now: ctx.sessions.now(),
    includeRefreshToken: false,
    extraClaims: { clientHost: request.ip, clientAddress: request.ip },
  });
  return response;
};

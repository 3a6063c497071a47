/**
 * The client authenticators holdfast's token, introspection and revocation endpoints accept,
 * by Keycloak's provider id (a client's `clientAuthenticatorType`). `client-secret` covers
 * `client_secret_basic` and `client_secret_post`; JWT and X.509 client authentication are not
 * built, so they are not listed.
 */
export interface ClientAuthenticator {
  id: string;
  displayType: string;
}

export const clientAuthenticators: ClientAuthenticator[] = [{ id: 'client-secret', displayType: 'Client Id and Secret' }];

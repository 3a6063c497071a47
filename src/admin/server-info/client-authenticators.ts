/**
 * The client authenticators holdfast's token, introspection, revocation and logout endpoints
 * accept, by Keycloak's provider id (a client's `clientAuthenticatorType`, src/oidc/client-auth).
 * X.509 client authentication needs mutual TLS, which holdfast does not terminate: not listed.
 */
export interface ClientAuthenticator {
  id: string;
  displayType: string;
}

export const clientAuthenticators: ClientAuthenticator[] = [
  { id: 'client-secret', displayType: 'Client Id and Secret' },
  { id: 'client-jwt', displayType: 'Signed Jwt' },
  { id: 'client-secret-jwt', displayType: 'Signed Jwt with Client Secret' },
];

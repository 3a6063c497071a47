/**
 * Why a brokered login failed, as Keycloak tells it: the error page's status and text, and the
 * `error` of the IDENTITY_PROVIDER_LOGIN_ERROR event. A request that cannot belong to a login
 * (no state, a spent state, an unknown alias, neither code nor error) is the browser's fault
 * (400); an upstream that misbehaves (bad token, wrong issuer, no answer) is a bad gateway (502),
 * as a real Keycloak 26.7 answers them.
 */
export const BROKER_TEXTS = {
  notFound: 'Could not find an identity provider with the identifier.',
  missingState: 'Missing state parameter in response from identity provider.',
  missingCode: 'Missing code or error parameter in response from identity provider.',
  invalidResponse: 'Invalid response from identity provider.',
  invalidSignature: 'Invalid signature in response from identity provider.',
  noToken: 'Could not obtain token from identity provider.',
  unexpected: 'Unexpected error when authenticating with identity provider',
  expired: 'Your login attempt timed out. Login will start from the beginning.',
} as const;

export class BrokerFailure extends Error {
  constructor(
    readonly status: 400 | 502,
    readonly text: string,
    /** The event's error (Keycloak's Errors constants). */
    readonly error: string,
    /** What went wrong, for the log and the event's `reason` detail; never shown to the browser. */
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const upstreamFailure = (text: string, error: string, reason: string): BrokerFailure => new BrokerFailure(502, text, error, reason);
export const requestFailure = (text: string, error: string, reason: string): BrokerFailure => new BrokerFailure(400, text, error, reason);

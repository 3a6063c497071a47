/**
 * The peer's constants, shared by its server (oidc-provider.ts, a separate process) and by the
 * scenarios that send it requests.
 */
export const PEER_REDIRECT = 'http://localhost:3000/callback';
export const PEER_SECRET = 'bench-secret';
export const PEER_RESOURCE = 'urn:bench:api';
export const PEER_ROTATING_CLIENT = 'bench-rotating';
export const PEER_OPAQUE_CLIENT = 'bench-opaque';

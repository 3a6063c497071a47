/**
 * An import the operator allowed to be lossy leaves out the protocol mappers holdfast has no type
 * for (lossy-parts lists each one as refused, so the outcome names them), instead of failing on
 * them when the clients and client scopes are planned.
 */
import { supportedMapperType } from '../../realm/index.ts';

const OIDC = 'openid-connect';

interface WithMappers {
  protocol?: string;
  protocolMappers?: Array<{ protocol?: string; protocolMapper?: string }>;
}

function kept<T extends WithMappers>(owner: T): T {
  if ((owner.protocol ?? OIDC) !== OIDC || owner.protocolMappers === undefined) return owner;
  return { ...owner, protocolMappers: owner.protocolMappers.filter((m) => (m.protocol ?? OIDC) !== OIDC || supportedMapperType(m.protocolMapper ?? '')) };
}

/** The file's clients and client scopes without the mappers of unsupported OIDC types. */
export function withoutUnsupportedMappers<R extends { clients?: WithMappers[]; clientScopes?: WithMappers[] }>(rep: R): R {
  return {
    ...rep,
    ...(rep.clients ? { clients: rep.clients.map(kept) } : {}),
    ...(rep.clientScopes ? { clientScopes: rep.clientScopes.map(kept) } : {}),
  };
}

/**
 * A scope's realm default type: whether new clients get it as a default or optional scope, or
 * not at all. Changing it moves the scope between `default-default-client-scopes` and
 * `default-optional-client-scopes`, as Keycloak's console does.
 */
import { api, realmPath } from '../../api.ts';
import type { ClientScopeRep } from '../clients/types.ts';

export type DefaultType = 'default' | 'optional' | 'none';

const LIST: Record<Exclude<DefaultType, 'none'>, string> = { default: 'default-default-client-scopes', optional: 'default-optional-client-scopes' };

export async function realmDefaultTypes(realm: string): Promise<Map<string, DefaultType>> {
  const [defaults, optional] = await Promise.all([api.get<ClientScopeRep[]>(realmPath(realm, LIST.default)), api.get<ClientScopeRep[]>(realmPath(realm, LIST.optional))]);
  return new Map<string, DefaultType>([...defaults.map((s) => [s.id, 'default'] as const), ...optional.map((s) => [s.id, 'optional'] as const)]);
}

export async function setRealmDefaultType(realm: string, scopeId: string, from: DefaultType, to: DefaultType): Promise<void> {
  if (from === to) return;
  if (from !== 'none') await api.del(realmPath(realm, LIST[from], scopeId));
  if (to !== 'none') await api.put(realmPath(realm, LIST[to], scopeId));
}

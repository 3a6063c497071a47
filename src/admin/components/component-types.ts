/**
 * The component types `/admin/realms/{realm}/components` serves, by Keycloak providerType. Each
 * type keeps its components where it likes (key providers in realm_key, the user profile with
 * the realm) and answers the same five operations; the routes know no type by name. A
 * providerType nobody registered is refused with 400 naming it, never stored and ignored.
 */
import type { Context } from '../../context.ts';
import type { LoadedRealm } from '../../realm/index.ts';
import type { AdminScope } from '../admin-request.ts';
import type { ComponentRepresentation } from './key-providers.ts';

/** A component as the admin API shows it (Keycloak's ComponentRepresentation). */
export interface ComponentView {
  id: string;
  name: string;
  providerId: string;
  providerType: string;
  parentId: string;
  subType?: string;
  config: Record<string, string[]>;
}

export interface ComponentType {
  providerType: string;
  list(ctx: Context, realm: LoadedRealm): Promise<ComponentView[]>;
  /** Creates the component in one transaction; answers its id. */
  create(ctx: Context, scope: AdminScope, rep: ComponentRepresentation): Promise<string>;
  /** False when the type has no component of that id. */
  update(ctx: Context, scope: AdminScope, id: string, rep: ComponentRepresentation): Promise<boolean>;
  remove(ctx: Context, scope: AdminScope, id: string): Promise<boolean>;
}

const types = new Map<string, ComponentType>();

export function registerComponentType(type: ComponentType): void {
  if (types.has(type.providerType)) throw new Error(`component type ${type.providerType} registered twice`);
  types.set(type.providerType, type);
}

export const componentType = (providerType: string): ComponentType | undefined => types.get(providerType);
export const componentTypes = (): ComponentType[] => [...types.values()];

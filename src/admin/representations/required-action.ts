/**
 * Keycloak's RequiredActionProviderRepresentation (`alias`, `name`, `providerId`, `enabled`,
 * `defaultAction`, `priority`, `config`) in admin bodies and realm files. A body may only
 * change what Keycloak lets it change; the provider an alias runs is fixed at registration.
 */
import type { RequiredActionProvider } from '../../realm/index.ts';
import { boolean, field, integer, object, ShapeError, string, stringMap, type Checked } from '../json-shape.ts';

export const requiredActionRepresentation = object({
  alias: string,
  name: string,
  providerId: string,
  enabled: boolean,
  defaultAction: boolean,
  priority: integer,
  config: stringMap,
});
export type RequiredActionRepresentation = Checked<typeof requiredActionRepresentation>;

const ALIAS = /^[A-Za-z0-9_.-]{1,255}$/;

/** A registered action from a realm file's entry; alias and providerId default to each other, as in Keycloak. */
export function requiredActionFromFile(rep: RequiredActionRepresentation, path: string, position: number): RequiredActionProvider {
  const alias = rep.alias ?? rep.providerId;
  const providerId = rep.providerId ?? rep.alias;
  if (alias === undefined || providerId === undefined) throw new ShapeError(field(path, 'alias'), 'required');
  if (!ALIAS.test(alias)) throw new ShapeError(field(path, 'alias'), `invalid alias '${alias}'`);
  if (!ALIAS.test(providerId)) throw new ShapeError(field(path, 'providerId'), `invalid providerId '${providerId}'`);
  return {
    alias,
    name: rep.name ?? alias,
    providerId,
    enabled: rep.enabled ?? false,
    defaultAction: rep.defaultAction ?? false,
    priority: rep.priority ?? position,
    config: rep.config ?? {},
  };
}

/** A PUT body applied to a registered action: name, enabled, defaultAction, priority and config. */
export function applyRequiredAction(action: RequiredActionProvider, rep: RequiredActionRepresentation): RequiredActionProvider {
  if (rep.providerId !== undefined && rep.providerId !== action.providerId) throw new ShapeError('providerId', 'cannot be changed: delete the action and register the provider again');
  if (rep.alias !== undefined && rep.alias !== action.alias) throw new ShapeError('alias', 'cannot be changed');
  return {
    ...action,
    name: rep.name ?? action.name,
    enabled: rep.enabled ?? action.enabled,
    // Keycloak: an action that is not enabled cannot be a default action.
    defaultAction: (rep.enabled ?? action.enabled) && (rep.defaultAction ?? action.defaultAction),
    priority: rep.priority ?? action.priority,
    config: rep.config ?? action.config,
  };
}

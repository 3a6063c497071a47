/**
 * Checks a user's attributes against a realm's user profile, for one kind of editor: `admin` (the
 * admin API) or `user` (registration, login's update-profile step, the account API — they call
 * this same function). Attributes are all in one map, the root ones (`username`, `email`,
 * `firstName`, `lastName`) included, each as a list of values, as Keycloak's profile sees them.
 *
 * Where Keycloak silently keeps the old value of an attribute the editor may not change (one
 * without `edit` permission, or an unmanaged one under a policy that does not let them edit it),
 * this refuses the change with an error, so nobody believes a write took that did not.
 */
import { isRootAttribute, type UPAttribute, type UPConfig } from './up-config.ts';
import { VALIDATORS, type ProfileError } from './validators.ts';

export type ProfileRole = 'admin' | 'user';
export type ProfileAttributes = Record<string, string[]>;

export interface ProfileContext {
  role: ProfileRole;
  /** OAuth scopes of the request (registration, login): they select attributes and make them required. */
  scopes?: string[];
  /** The attributes stored before this change; undefined when the user is being created. */
  current?: ProfileAttributes;
  editUsernameAllowed: boolean;
  /** Service accounts are named by holdfast from their client: the username rules do not apply. */
  serviceAccount?: boolean;
}

const intersects = (a: string[] | undefined, b: string[] | undefined): boolean => (a ?? []).some((x) => (b ?? []).includes(x));

/** Whether the attribute exists in this context (`selector.scopes` only limit what users see). */
export function applies(attribute: UPAttribute, context: ProfileContext): boolean {
  const scopes = attribute.selector?.scopes ?? [];
  return context.role === 'admin' || scopes.length === 0 || intersects(scopes, context.scopes);
}

export function canView(attribute: UPAttribute, role: ProfileRole): boolean {
  return (attribute.permissions?.view ?? []).includes(role) || (attribute.permissions?.edit ?? []).includes(role);
}

export function canEdit(attribute: UPAttribute, context: ProfileContext): boolean {
  if (attribute.name === 'username' && context.current !== undefined && !context.editUsernameAllowed) return false;
  return (attribute.permissions?.edit ?? []).includes(context.role);
}

export function isRequired(attribute: UPAttribute, context: ProfileContext): boolean {
  if (attribute.name === 'username') return true;
  const required = attribute.required;
  if (!required) return false;
  if ((required.roles ?? []).length === 0 && (required.scopes ?? []).length === 0) return true;
  return (required.roles ?? []).includes(context.role) || intersects(required.scopes, context.scopes);
}

/** Whether `role` may change attributes the profile does not name, under the realm's policy. */
export function mayEditUnmanaged(config: UPConfig, role: ProfileRole): boolean {
  const policy = config.unmanagedAttributePolicy;
  return policy === 'ENABLED' || (role === 'admin' && policy === 'ADMIN_EDIT');
}

export function mayViewUnmanaged(config: UPConfig, role: ProfileRole): boolean {
  const policy = config.unmanagedAttributePolicy;
  return policy === 'ENABLED' || (role === 'admin' && (policy === 'ADMIN_EDIT' || policy === 'ADMIN_VIEW'));
}

const present = (values: string[] | undefined): string[] => (values ?? []).filter((v) => v !== '');

function changed(values: string[] | undefined, before: string[] | undefined): boolean {
  const a = present(values);
  const b = present(before);
  return a.length !== b.length || a.some((v, i) => v !== b[i]);
}

const IMPLICIT_SINGLE_VALUE = { max: 1 };

function validateAttribute(attribute: UPAttribute, values: string[], context: ProfileContext): ProfileError[] {
  const name = attribute.name;
  if (name === 'username' && context.serviceAccount) return [];
  if (isRequired(attribute, context) && present(values).length === 0) return [{ field: name, errorMessage: 'error-user-attribute-required', params: [name] }];
  const validations = { ...attribute.validations };
  if (!attribute.multivalued && validations.multivalued === undefined) validations.multivalued = IMPLICIT_SINGLE_VALUE;
  const errors: ProfileError[] = [];
  for (const [id, options] of Object.entries(validations)) {
    const validator = VALIDATORS.get(id);
    // A stored config was checked when saved; an id unknown here cannot come from one.
    if (!validator) continue;
    const keepEmpty = validator.keepsEmpty || options['ignore.empty.value'] === false;
    errors.push(...validator.validate(name, keepEmpty ? values : present(values), options));
  }
  return errors;
}

/**
 * Every problem of `attributes` (the whole state after the change) under `config`, in profile
 * order and then unmanaged attributes by name; empty when the change may be written.
 */
export function validateProfile(config: UPConfig, attributes: ProfileAttributes, context: ProfileContext): ProfileError[] {
  const errors: ProfileError[] = [];
  const managed = new Set<string>();
  for (const attribute of config.attributes) {
    if (!applies(attribute, context)) continue;
    managed.add(attribute.name);
    const values = attributes[attribute.name] ?? [];
    if (!canEdit(attribute, context)) {
      const before = context.current?.[attribute.name];
      if (changed(values, before)) errors.push({ field: attribute.name, errorMessage: 'error-user-attribute-read-only', params: [attribute.name] });
      continue;
    }
    errors.push(...validateAttribute(attribute, values, context));
  }
  if (!mayEditUnmanaged(config, context.role)) {
    for (const name of Object.keys(attributes).sort()) {
      if (managed.has(name) || !changed(attributes[name], context.current?.[name])) continue;
      errors.push({
        field: name,
        errorMessage: `Attribute '${name}' is not in the realm's user profile, and its unmanagedAttributePolicy does not let ${context.role === 'admin' ? 'administrators' : 'users'} change it`,
        params: [name],
      });
    }
  }
  return errors;
}

/**
 * The attribute map a write leads to: the `given` map, plus every current attribute the editor
 * may not change and did not send (an admin console never sends what it was not shown).
 */
export function mergeAttributes(config: UPConfig, given: ProfileAttributes, context: ProfileContext): ProfileAttributes {
  const merged: ProfileAttributes = Object.fromEntries(Object.entries(given));
  const byName = new Map(config.attributes.map((a) => [a.name, a]));
  for (const [name, values] of Object.entries(context.current ?? {})) {
    if (Object.hasOwn(merged, name) || isRootAttribute(name)) continue;
    const attribute = byName.get(name);
    const editable = attribute ? applies(attribute, context) && canEdit(attribute, context) : mayEditUnmanaged(config, context.role);
    if (!editable) merged[name] = values;
  }
  return merged;
}

/** The non-root attributes `role` may see: viewable managed ones, and unmanaged ones if the policy shows them. */
export function visibleAttributes(config: UPConfig, attributes: ProfileAttributes, role: ProfileRole): ProfileAttributes {
  const byName = new Map(config.attributes.map((a) => [a.name, a]));
  const unmanaged = mayViewUnmanaged(config, role);
  return Object.fromEntries(
    Object.entries(attributes).filter(([name]) => {
      if (isRootAttribute(name)) return false;
      const attribute = byName.get(name);
      return attribute ? canView(attribute, role) : unmanaged;
    }),
  );
}

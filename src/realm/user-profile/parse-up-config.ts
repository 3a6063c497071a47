/**
 * Reads a UPConfig from untrusted JSON (`PUT /users/profile`, a realm file's user-profile
 * component) the way Keycloak does: an unknown field or a wrong type makes it unreadable
 * (Keycloak's Jackson errors), and a readable one is then checked as a whole, every problem
 * listed (names, duplicates, validators and their configuration, group references, `username`
 * and `email` present). What passes is kept as given, with Keycloak's defaults filled in
 * (`multivalued` false, both permission lists, `groups` empty), as Keycloak stores it.
 */
import type { UPAttribute, UPConfig, UPGroup, UnmanagedAttributePolicy } from './up-config.ts';
import { VALIDATORS } from './validators.ts';

/** The JSON is not a UPConfig at all (Keycloak: `Invalid json representation for UPConfig…`). */
export class UnreadableConfig extends Error {}

/** The config reads, but is not a usable profile; `problems` in Keycloak's words. */
export class InvalidConfig extends Error {
  constructor(readonly problems: string[]) {
    super(`[${problems.join(', ')}]`);
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function fields(value: unknown, known: string[], where: string): Json {
  if (!isObject(value)) throw new UnreadableConfig(`${where}: expected an object`);
  for (const name of Object.keys(value)) {
    if (!known.includes(name)) throw new UnreadableConfig(`Unrecognized field "${name}"`);
  }
  return value;
}

function optional<T>(value: unknown, check: (v: unknown) => v is T, expected: string, where: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw new UnreadableConfig(`${where}: expected ${expected}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function roles(value: unknown, where: string, known: string[]): Record<string, string[]> | undefined {
  if (value === undefined || value === null) return undefined;
  const json = fields(value, known, where);
  const out: Record<string, string[]> = {};
  for (const name of known) {
    const list = optional(json[name], isStringList, 'a list of strings', `${where}.${name}`);
    if (list !== undefined) out[name] = list;
  }
  return out;
}

function validations(value: unknown, where: string): Record<string, Record<string, unknown>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new UnreadableConfig(`${where}: expected an object`);
  // Built with fromEntries, so a `__proto__` validator id stays a plain (unknown) id.
  return Object.fromEntries(
    Object.entries(value).map(([id, config]) => {
      if (config !== null && !isObject(config)) throw new UnreadableConfig(`${where}.${id}: expected an object`);
      return [id, config ?? {}];
    }),
  );
}

const ATTRIBUTE_FIELDS = ['name', 'displayName', 'validations', 'annotations', 'required', 'permissions', 'selector', 'multivalued', 'group', 'defaultValue'];

function readAttribute(value: unknown, where: string): UPAttribute {
  const json = fields(value, ATTRIBUTE_FIELDS, where);
  const attribute: Partial<UPAttribute> = {};
  const name = optional(json.name, isString, 'a string', `${where}.name`);
  if (name !== undefined) attribute.name = name;
  const displayName = optional(json.displayName, isString, 'a string', `${where}.displayName`);
  if (displayName !== undefined) attribute.displayName = displayName;
  const checks = validations(json.validations, `${where}.validations`);
  if (checks !== undefined) attribute.validations = checks;
  const annotations = optional(json.annotations, isObject, 'an object', `${where}.annotations`);
  if (annotations !== undefined) attribute.annotations = annotations;
  const required = roles(json.required, `${where}.required`, ['roles', 'scopes']);
  if (required !== undefined) attribute.required = required;
  const permissions = roles(json.permissions, `${where}.permissions`, ['view', 'edit']);
  // Keycloak stores both lists once either is given.
  if (permissions !== undefined) attribute.permissions = { view: permissions.view ?? [], edit: permissions.edit ?? [] };
  const selector = roles(json.selector, `${where}.selector`, ['scopes']);
  if (selector !== undefined) attribute.selector = selector;
  attribute.multivalued = optional(json.multivalued, isBoolean, 'a boolean', `${where}.multivalued`) ?? false;
  const group = optional(json.group, isString, 'a string', `${where}.group`);
  if (group !== undefined) attribute.group = group;
  const defaultValue = optional(json.defaultValue, isString, 'a string', `${where}.defaultValue`);
  if (defaultValue !== undefined) attribute.defaultValue = defaultValue;
  return attribute as UPAttribute;
}

function readGroup(value: unknown, where: string): UPGroup {
  const json = fields(value, ['name', 'displayHeader', 'displayDescription', 'annotations'], where);
  const group: Partial<UPGroup> = {};
  for (const name of ['name', 'displayHeader', 'displayDescription'] as const) {
    const text = optional(json[name], isString, 'a string', `${where}.${name}`);
    if (text !== undefined) group[name] = text;
  }
  const annotations = optional(json.annotations, isObject, 'an object', `${where}.annotations`);
  if (annotations !== undefined) group.annotations = annotations;
  return group as UPGroup;
}

const POLICIES: UnmanagedAttributePolicy[] = ['ENABLED', 'ADMIN_VIEW', 'ADMIN_EDIT'];
const ATTRIBUTE_NAME = /^[A-Za-z0-9._-]+$/;

/** Every problem of a readable config, in Keycloak's words; empty when it is usable. */
function problemsOf(config: UPConfig): string[] {
  const problems: string[] = [];
  const groupNames = new Set<string>();
  for (const group of config.groups ?? []) {
    if (group.name === undefined || group.name.trim() === '') problems.push(`Name is mandatory for groups, found ${JSON.stringify(group)}`);
    else if (groupNames.has(group.name)) problems.push(`Duplicated group name '${group.name}'`);
    else groupNames.add(group.name);
  }
  const names = new Set<string>();
  for (const attribute of config.attributes) {
    const name = attribute.name;
    if (name === undefined || name.trim() === '') {
      problems.push(`Attribute configuration without 'name' is not allowed`);
      continue;
    }
    if (!ATTRIBUTE_NAME.test(name)) problems.push(`Invalid attribute name (only letters, numbers and '.' '_' '-' special characters allowed): ${name}'`);
    if (names.has(name)) problems.push(`Attribute configuration already exists with 'name':'${name}'`);
    names.add(name);
    for (const [id, options] of Object.entries(attribute.validations ?? {})) {
      const validator = VALIDATORS.get(id);
      if (!validator) {
        problems.push(`Validator '${id}' defined for attribute '${name}' doesn't exist`);
        continue;
      }
      const problem = validator.configProblem(options);
      if (problem) problems.push(`Validator '${id}' defined for attribute '${name}' has incorrect configuration: ${problem}`);
    }
    if (attribute.group !== undefined && !groupNames.has(attribute.group)) problems.push(`Attribute '${name}' references unknown group '${attribute.group}'`);
  }
  for (const mandatory of ['username', 'email']) {
    if (!names.has(mandatory)) problems.push(`The attribute '${mandatory}' can not be removed`);
  }
  return problems;
}

/** The config a JSON document gives; throws UnreadableConfig or InvalidConfig. */
export function parseUpConfig(value: unknown): UPConfig {
  const json = fields(value, ['attributes', 'groups', 'unmanagedAttributePolicy'], 'UPConfig');
  const attributes = json.attributes ?? [];
  const groups = json.groups;
  if (!Array.isArray(attributes)) throw new UnreadableConfig('attributes: expected a list');
  if (groups !== undefined && groups !== null && !Array.isArray(groups)) throw new UnreadableConfig('groups: expected a list');
  const policy = json.unmanagedAttributePolicy;
  if (policy !== undefined && policy !== null && !POLICIES.includes(policy as UnmanagedAttributePolicy)) {
    throw new UnreadableConfig(`unmanagedAttributePolicy: expected one of ${POLICIES.join(', ')}`);
  }
  const config: UPConfig = {
    attributes: attributes.map((a, i) => readAttribute(a, `attributes[${i}]`)),
    groups: Array.isArray(groups) ? groups.map((g, i) => readGroup(g, `groups[${i}]`)) : [],
  };
  if (policy !== undefined && policy !== null) config.unmanagedAttributePolicy = policy as UnmanagedAttributePolicy;
  const problems = problemsOf(config);
  if (problems.length > 0) throw new InvalidConfig(problems);
  return config;
}

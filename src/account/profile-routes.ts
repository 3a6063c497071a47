/**
 * `GET /account` and `POST /account`: the signed-in user's profile as Keycloak's account REST API
 * shows and changes it (what keycloak-js `loadUserProfile()` reads and the account console's
 * "Personal info" page writes), through the realm's declarative user profile in the user's role:
 * only what the user may see is shown, and a change is checked as a whole (400 with Keycloak's
 * `{"errors":[{field, errorMessage, params}]}`, 409 for a username or e-mail another user has).
 * An editable attribute a body leaves out is emptied, as in Keycloak; the others keep their
 * values. A changed e-mail is no longer verified.
 * Also `GET /account/supportedLocales`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { AdminError } from '../errors/index.ts';
import { assertUnique, profileAttributes } from '../admin/index.ts';
import {
  applies,
  canEdit,
  canView,
  mayEditUnmanaged,
  isRootAttribute,
  MAX_ATTRIBUTE_NAME,
  profileMetadata,
  userProfileOf,
  validateProfile,
  visibleAttributes,
  type ProfileAttributes,
  type ProfileContext,
  type ProfileError,
  type UPConfig,
  type User,
} from '../realm/index.ts';
import type { AccountCaller } from './account-auth.ts';
import { requireOneOf } from './account-auth.ts';
import { accountCaller, accountPaths, badRequest, queryFlag } from './account-request.ts';

/** Fields of the representation a client echoes back (the account console does) and that no user can change. */
const ECHOED = new Set(['id', 'emailVerified', 'userProfileMetadata']);
const ROOT_FIELDS = ['username', 'email', 'firstName', 'lastName'] as const;
/** Bounds on a body: Keycloak's column widths, and enough values for any real profile. */
const MAX_VALUE = 2048;
const MAX_VALUES = 100;
const MAX_ATTRIBUTES = 200;

function profileContext(caller: AccountCaller): ProfileContext {
  return {
    role: 'user',
    scopes: (caller.claims.scope ?? '').split(' ').filter((s) => s !== ''),
    current: profileAttributes(caller.user.user),
    editUsernameAllowed: caller.realm.realm.settings.editUsernameAllowed,
  };
}

/** Keycloak's account UserRepresentation: the root fields the user may see, then the other visible attributes. */
function representation(caller: AccountCaller, config: UPConfig, withMetadata: boolean): Record<string, unknown> {
  const user = caller.user.user;
  const context = profileContext(caller);
  const byName = new Map(config.attributes.map((a) => [a.name, a]));
  const visible = (name: string) => name === 'username' || (byName.get(name) ? canView(byName.get(name)!, 'user') : false);
  const rep: Record<string, unknown> = { id: user.id };
  for (const name of ['username', 'firstName', 'lastName', 'email'] as const) if (user[name] !== undefined && visible(name)) rep[name] = user[name];
  rep.emailVerified = user.emailVerified;
  if (withMetadata) rep.userProfileMetadata = profileMetadata(config, context);
  const attributes = visibleAttributes(config, user.attributes, 'user');
  if (Object.keys(attributes).length > 0) rep.attributes = attributes;
  return rep;
}

function stringOrNull(value: unknown, field: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field}: expected a string`);
  if (value.length > MAX_VALUE) throw badRequest(`${field}: at most ${MAX_VALUE} characters`);
  return value;
}

/** The body as one attribute map (Keycloak's `getRawAttributes`): top-level root fields win over `attributes`. */
function rawAttributes(body: unknown): ProfileAttributes {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Expected a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !ECHOED.has(k) && k !== 'attributes' && !(ROOT_FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw new AdminError(400, { error: `Invalid json representation for UserRepresentation. Unrecognized field "${unknown.slice(0, 255)}"` });
  const raw: ProfileAttributes = {};
  const attributes = fields.attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) throw badRequest('attributes: expected an object of value lists');
    const entries = Object.entries(attributes as Record<string, unknown>);
    if (entries.length > MAX_ATTRIBUTES) throw badRequest(`attributes: at most ${MAX_ATTRIBUTES} attributes`);
    for (const [name, value] of entries) {
      if (name === '' || name.length > MAX_ATTRIBUTE_NAME) throw badRequest(`attributes: names are 1 to ${MAX_ATTRIBUTE_NAME} characters`);
      // As Keycloak's StringListMapDeserializer: a single string is a list of one.
      const values = typeof value === 'string' ? [value] : value === null ? [] : value;
      if (!Array.isArray(values) || values.length > MAX_VALUES) throw badRequest(`attributes.${name}: expected a list of at most ${MAX_VALUES} strings`);
      raw[name] = values.map((v, i) => stringOrNull(v, `attributes.${name}[${i}]`) ?? '');
    }
  }
  for (const name of ROOT_FIELDS) {
    const value = stringOrNull(fields[name], name);
    if (value !== undefined) raw[name] = [value];
  }
  return raw;
}

/** Keycloak names the attribute in `params[0]` by its display name. */
function withDisplayNames(errors: ProfileError[], config: UPConfig): ProfileError[] {
  const metadata = new Map(config.attributes.map((a) => [a.name, a.displayName ?? (isRootAttribute(a.name) ? `\${${a.name}}` : a.name)]));
  return errors.map((e) => ({ ...e, params: e.params.map((p, i) => (i === 0 && typeof p === 'string' ? (metadata.get(p) ?? p) : p)) }));
}

/** Keycloak's body: one error is also spelled out at the top level, several only as the list. */
function profileErrors(status: number, errors: ProfileError[]): AdminError {
  return new AdminError(status, errors.length === 1 ? { ...errors[0], errors } : { errors });
}

/**
 * The attributes after the change, as Keycloak's account context reads a body: what it names,
 * every attribute the user may not change as it was, and the editable ones it leaves out emptied.
 */
function mergedAttributes(config: UPConfig, given: ProfileAttributes, context: ProfileContext): ProfileAttributes {
  const merged: ProfileAttributes = { ...given };
  const byName = new Map(config.attributes.map((a) => [a.name, a]));
  for (const [name, values] of Object.entries(context.current ?? {})) {
    if (Object.hasOwn(given, name)) continue;
    const attribute = byName.get(name);
    const editable = attribute ? applies(attribute, context) && canEdit(attribute, context) : mayEditUnmanaged(config, context.role);
    merged[name] = editable ? [] : values;
  }
  return merged;
}

/** Keycloak adds its own message when the username is changed while it may not be. */
function withUsernameMessage(errors: ProfileError[]): ProfileError[] {
  const readOnly = errors.findIndex((e) => e.field === 'username' && e.errorMessage === 'error-user-attribute-read-only');
  if (readOnly < 0) return errors;
  return [...errors.slice(0, readOnly + 1), { field: 'username', errorMessage: 'readOnlyUsernameMessage', params: ['username'] }, ...errors.slice(readOnly + 1)];
}

/** The user after the change; attributes the body did not name keep their values. */
function changedUser(user: User, merged: ProfileAttributes): User {
  const first = (name: string): string | undefined => {
    const value = merged[name]?.find((v) => v !== '');
    return value === undefined ? undefined : value;
  };
  const email = first('email')?.toLowerCase();
  const attributes: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(merged)) if (!isRootAttribute(name) && values.some((v) => v !== '')) attributes[name] = values.filter((v) => v !== '');
  return {
    ...user,
    username: (first('username') ?? user.username).toLowerCase(),
    email,
    firstName: first('firstName'),
    lastName: first('lastName'),
    emailVerified: email === user.email ? user.emailVerified : false,
    attributes,
  };
}

/** Keycloak's event details for what changed: `previous_email`/`updated_email`, `previous_first_name`, … */
const DETAIL_NAMES: Record<string, string> = { email: 'email', firstName: 'first_name', lastName: 'last_name', username: 'username' };

function changeDetails(before: ProfileAttributes, after: ProfileAttributes): Array<[string, string]> {
  const details: Array<[string, string]> = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = (before[name] ?? []).filter((v) => v !== '').join(',');
    const now = (after[name] ?? []).filter((v) => v !== '').join(',');
    if (was === now) continue;
    const key = DETAIL_NAMES[name] ?? name;
    details.push([`previous_${key}`, was], [`updated_${key}`, now]);
  }
  return details;
}

export async function profileRoutes(app: FastifyInstance, { ctx }: { ctx: Context }): Promise<void> {
  for (const path of accountPaths('')) {
    app.get(path, async (request: FastifyRequest) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account', 'view-profile');
      // Keycloak leaves the metadata out only when asked with `userProfileMetadata=false`.
      const metadata = queryFlag(request, 'userProfileMetadata');
      return representation(caller, userProfileOf(caller.realm), metadata !== false);
    });

    app.post(path, async (request, reply) => {
      const caller = accountCaller(request);
      requireOneOf(caller, 'manage-account');
      const event = ctx.events.recorder
        .user(caller.realm, 'UPDATE_PROFILE', request)
        .client(caller.accountClient.clientId)
        .user(caller.user.user.id)
        .detail('context', 'ACCOUNT');
      const config = userProfileOf(caller.realm);
      const context = profileContext(caller);
      const current = context.current!;
      const merged = mergedAttributes(config, rawAttributes(request.body), context);
      const errors = withUsernameMessage(validateProfile(config, merged, context));
      if (errors.length > 0) throw profileErrors(400, withDisplayNames(errors, config));

      const user = caller.user.user;
      const next = changedUser(user, merged);
      const repository = ctx.realms.repository;
      await repository.transaction(async (tx) => {
        try {
          await assertUnique(tx, caller.realm.realm.settings, next);
        } catch (error) {
          if (!(error instanceof AdminError) || error.status !== 409) throw error;
          const field = /email/.test(error.message) ? 'email' : 'username';
          throw profileErrors(409, withDisplayNames([{ field, errorMessage: field === 'email' ? 'emailExistsMessage' : 'usernameExistsMessage', params: [field] }], config));
        }
        await tx.updateUser(next);
      });
      await ctx.realms.userChanged(user.id);
      for (const [name, value] of changeDetails(current, profileAttributes(next))) event.detail(name, value);
      event.success();
      return reply.code(204).send();
    });
  }

  // The realm's supported locales: none until realms carry `supportedLocales` (the i18n work).
  // TODO(lead): answer the realm's list once the localization settings land.
  app.get('/realms/:realm/account/supportedLocales', async (_request, reply) => {
    reply.removeHeader('cache-control');
    return [];
  });
}

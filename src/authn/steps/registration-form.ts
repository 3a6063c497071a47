/**
 * Keycloak's `registration-page-form` (the "registration" flow: user creation, then password):
 * a login that asked for registration (the "Register" link, `prompt=create`, keycloak-js
 * `register()`) starts here instead of the password form. The form is checked as a whole against
 * the realm's user profile (role `user`) and password policy, every problem shown at once with
 * Keycloak's texts; the user is created with the realm's default roles, groups and required
 * actions, and is then the user of the login, so the required actions and the code follow as
 * after a password. REGISTER, or REGISTER_ERROR with Keycloak's error, is recorded.
 */
import { newId } from '../../crypto/index.ts';
import type { Form } from '../../http/form.ts';
import { isUniqueViolation } from '../../admin/realm-file/import-conflict.ts';
import { defaultActionAliases, defaultGroupIds, newUser, type User } from '../../realm/index.ts';
import type { LoginFlow, LoginStep, StepOutcome } from '../login-step.ts';
import { preparePasswordChange } from '../password-policy/index.ts';
import { EMAIL_EXISTS, registrationProblems, uniquenessProblems, USERNAME_EXISTS, type ProfileProblem } from '../profile-check.ts';
import { REGISTRATION_EXECUTION, REGISTRATION_TEXTS, backToLoginUrl, registrationAttributes, registrationPage } from './registration-page.ts';

/** Longest password taken (UTF-8 bytes): the hashing bound of the other password forms. */
const MAX_PASSWORD_BYTES = 4096;
/** Longest value taken for any profile field; the profile's own validators usually say less. */
const MAX_FIELD_CHARS = 2048;

/** Whether this login is a registration (the realm may have stopped allowing them meanwhile). */
export function isRegistering(flow: LoginFlow): boolean {
  return flow.tab.registering === true && flow.realm.realm.settings.registrationAllowed && flow.user === undefined;
}

function failed(flow: LoginFlow, error: string, values: Record<string, string>): void {
  flow.ctx.events.recorder
    .user(flow.realm, 'REGISTER', flow.request)
    .client(flow.client.clientId)
    .detail('auth_method', 'openid-connect')
    .detail('register_method', 'form')
    .detail('redirect_uri', flow.tab.redirectUri)
    .detail('username', values.username || undefined)
    .detail('email', values.email || undefined)
    .detail('first_name', values.firstName || undefined)
    .detail('last_name', values.lastName || undefined)
    .error(error);
}

/** Keycloak's event error for a refused form: a taken email or username first, else `invalid_registration`. */
function errorOf(problems: ProfileProblem[]): string {
  if (problems.some((p) => p.error === EMAIL_EXISTS)) return 'email_in_use';
  if (problems.some((p) => p.error === USERNAME_EXISTS)) return 'username_in_use';
  return 'invalid_registration';
}

function again(problems: ProfileProblem[], values: Record<string, string>): StepOutcome {
  return { kind: 'again', message: { fieldErrors: Object.fromEntries(problems.map((p) => [p.field, p.error])), values } };
}

/** With the email as username, a username problem is the email's (Keycloak shows it there). */
function onEmailField(flow: LoginFlow, problems: ProfileProblem[]): ProfileProblem[] {
  if (!flow.realm.realm.settings.registrationEmailAsUsername) return problems;
  const moved = problems.map((p) => (p.field === 'username' ? { field: 'email', error: p.error === USERNAME_EXISTS ? EMAIL_EXISTS : p.error } : p));
  return moved.filter((p, i) => moved.findIndex((q) => q.field === p.field) === i);
}

function readValues(flow: LoginFlow, fields: Form): Record<string, string> {
  const values: Record<string, string> = {};
  for (const attribute of registrationAttributes(flow.realm, flow.tab)) values[attribute.name] = (fields.get(attribute.name) ?? '').trim();
  if (flow.realm.realm.settings.registrationEmailAsUsername) values.username = values.email ?? '';
  return values;
}

function userFrom(flow: LoginFlow, values: Record<string, string>): User {
  const settings = flow.realm.realm.settings;
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(values)) if (!['username', 'email', 'firstName', 'lastName'].includes(name) && value !== '') attributes[name] = [value];
  const optional = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  return newUser(
    flow.realm.realm.id,
    {
      id: newId(),
      username: values.username ?? '',
      email: optional(values.email),
      firstName: optional(values.firstName),
      lastName: optional(values.lastName),
      attributes,
      requiredActions: defaultActionAliases(settings.requiredActions),
    },
    flow.ctx.clock.nowMs(),
  );
}

/** The password's problems, Keycloak's RegistrationPassword order: missing, confirmation, too long. */
function passwordProblems(password: string, confirmation: string): ProfileProblem[] {
  if (password === '') return [{ field: 'password', error: REGISTRATION_TEXTS.missingPasswordMessage }];
  if (password !== confirmation) return [{ field: 'password-confirm', error: REGISTRATION_TEXTS.invalidPasswordConfirmMessage }];
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return [{ field: 'password', error: REGISTRATION_TEXTS.passwordTooLong.replace('{0}', String(MAX_PASSWORD_BYTES)) }];
  return [];
}

export const registrationForm: LoginStep = {
  id: REGISTRATION_EXECUTION,
  kind: 'registration',
  async needed(flow) {
    return isRegistering(flow);
  },
  async page(flow, actionUrl, message) {
    const loginUrl = flow.tabId === undefined ? flow.issuer : backToLoginUrl(flow.issuer, flow.tabId, flow.tab);
    return registrationPage(flow.realm, flow.tab, actionUrl, loginUrl, message);
  },
  async submit(flow, fields) {
    const values = readValues(flow, fields);
    const password = fields.get('password') ?? '';
    const tooLong = Object.entries(values).filter(([, value]) => value.length > MAX_FIELD_CHARS);
    if (tooLong.length > 0) {
      const problems = onEmailField(flow, tooLong.map(([field]) => ({ field, error: `Maximal length is ${MAX_FIELD_CHARS}.` })));
      failed(flow, 'invalid_registration', Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.slice(0, 255)])));
      return again(problems, Object.fromEntries(Object.keys(values).map((name) => [name, tooLong.some(([field]) => field === name) ? '' : values[name]])));
    }
    const user = userFrom(flow, values);
    const settings = flow.realm.realm.settings;
    let problems = onEmailField(flow, registrationProblems(flow, user));
    const taken = await uniquenessProblems(flow.ctx.realms.repository, settings, user);
    for (const problem of onEmailField(flow, taken)) if (!problems.some((p) => p.field === problem.field)) problems.push(problem);
    problems.push(...passwordProblems(password, fields.get('password-confirm') ?? ''));
    if (problems.length > 0) {
      failed(flow, errorOf(problems), values);
      return again(problems, values);
    }
    const change = await preparePasswordChange(flow.ctx, flow.realm, user, password);
    if ('violation' in change) {
      failed(flow, 'invalid_registration', values);
      return again([{ field: 'password', error: change.violation.description }], values);
    }
    try {
      await flow.ctx.realms.repository.transaction(async (tx) => {
        // Checked again under the write: another registration may have taken the name meanwhile.
        problems = onEmailField(flow, await uniquenessProblems(tx, settings, user));
        if (problems.length > 0) return;
        await tx.createUser(user, [settings.attributes.defaultRoleId], change.credential);
        const groupIds = defaultGroupIds(flow.realm);
        if (groupIds.length > 0) await tx.addGroupMembers(groupIds.map((groupId) => ({ userId: user.id, groupId })));
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      problems = onEmailField(flow, [{ field: 'username', error: USERNAME_EXISTS }]);
    }
    if (problems.length > 0) {
      failed(flow, errorOf(problems), values);
      return again(problems, values);
    }
    flow.ctx.events.recorder
      .user(flow.realm, 'REGISTER', flow.request)
      .client(flow.client.clientId)
      .user(user.id)
      .detail('auth_method', 'openid-connect')
      .detail('register_method', 'form')
      .detail('redirect_uri', flow.tab.redirectUri)
      .detail('username', user.username)
      .detail('email', user.email)
      .detail('first_name', user.firstName)
      .detail('last_name', user.lastName)
      .success();
    flow.tab.registering = undefined;
    return { kind: 'done', user };
  },
};

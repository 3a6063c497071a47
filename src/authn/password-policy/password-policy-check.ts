/**
 * Checks a new password against the realm's policy with Keycloak's message keys and English
 * texts (`invalidPasswordMinLengthMessage`, "Invalid password: minimum length 8."): the admin
 * API answers them as `{error, error_description}`, the update-password page shows the text.
 * History rules compare against the stored hashes, through the realm's fair hashing queue.
 */
import type { Context } from '../../context.ts';
import { BUSY, type PasswordHash } from '../../crypto/index.ts';
import type { LoadedRealm, StoredCredential, User } from '../../realm/index.ts';
import { readBlacklist } from './password-blacklists.ts';
import { parsePasswordPolicy, type PasswordPolicy, type PasswordRule } from './parse-password-policy.ts';

export interface PolicyViolation {
  /** Keycloak's message key, e.g. `invalidPasswordMinLengthMessage`. */
  error: string;
  /** Keycloak's English text, e.g. `Invalid password: minimum length 8.` */
  description: string;
}

const DAY_MS = 86_400_000;

const violation = (error: string, description: string): PolicyViolation => ({ error, description });

function countOf(password: string, test: (c: string) => boolean): number {
  let n = 0;
  for (const c of password) if (test(c)) n++;
  return n;
}

const isDigit = (c: string) => /\p{Nd}/u.test(c);
const isLower = (c: string) => /\p{Ll}/u.test(c);
const isUpper = (c: string) => /\p{Lu}/u.test(c);
const isSpecial = (c: string) => !/[\p{L}\p{Nd}]/u.test(c);

/** The rules that need only the password and the user. */
function plainViolation(ctx: Context, rule: PasswordRule, password: string, user: User): PolicyViolation | undefined {
  switch (rule.id) {
    case 'length':
      return [...password].length < rule.count ? violation('invalidPasswordMinLengthMessage', `Invalid password: minimum length ${rule.count}.`) : undefined;
    case 'maxLength':
      return [...password].length > rule.count ? violation('invalidPasswordMaxLengthMessage', `Invalid password: maximum length ${rule.count}.`) : undefined;
    case 'digits':
      return countOf(password, isDigit) < rule.count ? violation('invalidPasswordMinDigitsMessage', `Invalid password: must contain at least ${rule.count} numerical digits.`) : undefined;
    case 'lowerCase':
      return countOf(password, isLower) < rule.count ? violation('invalidPasswordMinLowerCaseCharsMessage', `Invalid password: must contain at least ${rule.count} lower case characters.`) : undefined;
    case 'upperCase':
      return countOf(password, isUpper) < rule.count ? violation('invalidPasswordMinUpperCaseCharsMessage', `Invalid password: must contain at least ${rule.count} upper case characters.`) : undefined;
    case 'specialChars':
      return countOf(password, isSpecial) < rule.count ? violation('invalidPasswordMinSpecialCharsMessage', `Invalid password: must contain at least ${rule.count} special characters.`) : undefined;
    case 'notUsername':
      return password.toLowerCase() === user.username.toLowerCase() ? violation('invalidPasswordNotUsernameMessage', 'Invalid password: must not be equal to the username.') : undefined;
    case 'notContainsUsername':
      return password.toLowerCase().includes(user.username.toLowerCase()) ? violation('invalidPasswordNotContainsUsernameMessage', 'Invalid password: Can not contain the username.') : undefined;
    case 'notEmail':
      return user.email !== undefined && password.toLowerCase() === user.email.toLowerCase() ? violation('invalidPasswordNotEmailMessage', 'Invalid password: must not be equal to the email.') : undefined;
    case 'regexPattern':
      return rule.pattern.test(password) ? undefined : violation('invalidPasswordRegexPatternMessage', 'Invalid password: fails to match regex pattern(s).');
    case 'passwordBlacklist': {
      const entries = readBlacklist(ctx.config.dataDir, rule.file);
      // A missing file refuses every password: the policy cannot be honoured.
      return !entries || entries.has(password.toLowerCase()) ? violation('invalidPasswordBlacklistedMessage', 'Invalid password: password is blacklisted.') : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether the password matches one of these stored hashes (busy counts as a match: refuse, never skip). */
async function matchesAny(ctx: Context, realm: LoadedRealm, password: string, credentials: StoredCredential[]): Promise<boolean> {
  for (const credential of credentials) {
    const hash: PasswordHash = { credentialData: JSON.parse(credential.credentialData), secretData: JSON.parse(credential.secretData) };
    const result = await ctx.passwords.verify(realm.realm.id, password, hash);
    if (result === BUSY || result) return true;
  }
  return false;
}

/** The password history the rules compare against: the current password first, then the kept ones, newest first. */
async function passwordHistory(ctx: Context, user: User): Promise<StoredCredential[]> {
  const credentials = await ctx.realms.repository.listCredentials(user.id);
  return credentials.filter((c) => c.type === 'password' || c.type === 'password-history').sort((a, b) => (a.type === 'password' ? -1 : b.type === 'password' ? 1 : b.createdDate - a.createdDate));
}

export function realmPasswordPolicy(realm: LoadedRealm): PasswordPolicy {
  return parsePasswordPolicy(realm.realm.settings.passwordPolicy);
}

/** The first rule of the realm's policy the password breaks, or undefined. `user` is the user as it will be saved. */
export async function passwordPolicyViolation(ctx: Context, realm: LoadedRealm, user: User, password: string): Promise<PolicyViolation | undefined> {
  const policy = realmPasswordPolicy(realm);
  let history: StoredCredential[] | undefined;
  for (const rule of policy.rules) {
    if (rule.id === 'passwordHistory' || rule.id === 'passwordAge') {
      history ??= await passwordHistory(ctx, user);
      const since = ctx.clock.nowMs() - (rule.id === 'passwordAge' ? rule.days * DAY_MS : Infinity);
      const compared = rule.id === 'passwordHistory' ? history.slice(0, rule.count) : history.filter((c) => c.type === 'password' || c.createdDate >= since);
      if (await matchesAny(ctx, realm, password, compared)) {
        return rule.id === 'passwordHistory'
          ? violation('invalidPasswordHistoryMessage', `Invalid password: must not be equal to any of last ${rule.count} passwords.`)
          : violation('invalidPasswordGenericMessage', 'Invalid password: new password does not match password policies.');
      }
      continue;
    }
    const found = plainViolation(ctx, rule, password, user);
    if (found) return found;
  }
  return undefined;
}

/** Earlier passwords kept for `passwordAge`, whose days say nothing about how many. */
const AGE_HISTORY_KEPT = 50;

/** How many passwords (the new one included) to keep: enough for both history rules. */
export function historyToKeep(policy: PasswordPolicy): number {
  return Math.max(policy.historyLength, policy.ageDays > 0 ? AGE_HISTORY_KEPT : 0);
}

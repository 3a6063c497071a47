/**
 * The attribute validators a user profile can name, by Keycloak's ids, with Keycloak's error
 * messages and params (message keys the login theme and the admin console translate). Each also
 * checks its own configuration, so a profile that names a bad one is refused when it is saved,
 * not found out at the next registration.
 */
import { parseAbsoluteUri } from '../uri-syntax.ts';

/** One failed check, in the shape Keycloak's admin API and forms carry it. */
export interface ProfileError {
  field: string;
  errorMessage: string;
  params: unknown[];
}

export interface Validator {
  /** Why the configuration is unusable, or undefined. */
  configProblem(config: Record<string, unknown>): string | undefined;
  /** Checks the values of `attribute` (empty values already removed, unless `keepsEmpty`). */
  validate(attribute: string, values: string[], config: Record<string, unknown>): ProfileError[];
  keepsEmpty?: boolean;
}

const error = (field: string, errorMessage: string, ...params: unknown[]): ProfileError => ({ field, errorMessage, params: [field, ...params] });

/** Keycloak lets a validator's configured message replace its default one. */
const message = (config: Record<string, unknown>, fallback: string): string => (typeof config['error-message'] === 'string' ? config['error-message'] : fallback);

function numberOption(config: Record<string, unknown>, name: string, integer: boolean): number | undefined | 'invalid' {
  const raw = config[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) return 'invalid';
  return value;
}

function numbersProblem(config: Record<string, unknown>, names: string[], integer: boolean): string | undefined {
  for (const name of names) {
    if (numberOption(config, name, integer) === 'invalid') return `'${name}' must be ${integer ? 'an integer' : 'a number'} (error-validator-config-invalid-number-value)`;
  }
  return undefined;
}

const bound = (config: Record<string, unknown>, name: string, integer: boolean): number | undefined => {
  const value = numberOption(config, name, integer);
  return value === 'invalid' ? undefined : value;
};

/** Keycloak's message for a value out of bounds: one for both bounds set, one for each alone. */
function boundsMessage(min: number | undefined, max: number | undefined, keys: { both: string; min: string; max: string }): string {
  return min !== undefined && max !== undefined ? keys.both : min !== undefined ? keys.min : keys.max;
}

const LENGTH_KEYS = { both: 'error-invalid-length', min: 'error-invalid-length-too-short', max: 'error-invalid-length-too-long' };
const RANGE_KEYS = { both: 'error-number-out-of-range', min: 'error-number-out-of-range-too-small', max: 'error-number-out-of-range-too-big' };

const length: Validator = {
  configProblem: (config) => numbersProblem(config, ['min', 'max'], true),
  validate(attribute, values, config) {
    const min = bound(config, 'min', true);
    const max = bound(config, 'max', true);
    const errors: ProfileError[] = [];
    for (const raw of values) {
      const value = config['trim-disabled'] === true || config['trim-disabled'] === 'true' ? raw : raw.trim();
      if ((min === undefined || value.length >= min) && (max === undefined || value.length <= max)) continue;
      errors.push(error(attribute, message(config, boundsMessage(min, max, LENGTH_KEYS)), min ?? null, max ?? null));
    }
    return errors;
  },
};

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9\u0080-\uFFFF](?:[A-Za-z0-9\u0080-\uFFFF-]{0,61}[A-Za-z0-9\u0080-\uFFFF])?$/;

/** A mailbox as RFC 5321 allows it (dot-atom local part of at most 64 characters, a host name). */
export function isEmail(value: string, maxLocalLength = 64): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= maxLocalLength && LOCAL_PART.test(local) && domain.length <= 255 && domain.split('.').every((label) => DOMAIN_LABEL.test(label));
}

const email: Validator = {
  configProblem: (config) => numbersProblem(config, ['max-local-length'], true),
  validate: (attribute, values, config) =>
    values.filter((v) => !isEmail(v, bound(config, 'max-local-length', true))).map((v) => error(attribute, message(config, 'error-invalid-email'), v)),
};

/** The pattern as a whole-value match (Java's `matches`), or undefined when it does not compile. */
function compile(pattern: unknown): RegExp | undefined {
  if (typeof pattern !== 'string' || pattern === '') return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

const pattern: Validator = {
  configProblem: (config) => (compile(config.pattern) ? undefined : `'pattern' must be a regular expression`),
  validate(attribute, values, config) {
    const regex = compile(config.pattern)!;
    return values.filter((v) => !regex.test(v)).map(() => error(attribute, message(config, 'error-pattern-no-match'), config.pattern));
  },
};

const options: Validator = {
  configProblem: (config) => (Array.isArray(config.options) && config.options.every((o) => typeof o === 'string') ? undefined : `'options' must be a list of strings`),
  validate: (attribute, values, config) =>
    values.some((v) => !(config.options as string[]).includes(v)) ? [error(attribute, message(config, 'error-invalid-value'))] : [],
};

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function numberValidator(integer: boolean): Validator {
  return {
    configProblem: (config) => numbersProblem(config, ['min', 'max'], integer),
    validate(attribute, values, config) {
      const min = bound(config, 'min', integer);
      const max = bound(config, 'max', integer);
      const errors: ProfileError[] = [];
      for (const value of values) {
        const parsed = (integer ? INTEGER : DECIMAL).test(value.trim()) ? Number(value) : NaN;
        if (!Number.isFinite(parsed) || (integer && !Number.isSafeInteger(parsed))) {
          errors.push(error(attribute, message(config, 'error-invalid-number')));
        } else if ((min !== undefined && parsed < min) || (max !== undefined && parsed > max)) {
          errors.push(error(attribute, message(config, boundsMessage(min, max, RANGE_KEYS)), min ?? null, max ?? null));
        }
      }
      return errors;
    },
  };
}

const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;

/** Why `value` is not a URI reference as RFC 3986 (and Java's URI) read it, or undefined. */
function uriProblem(value: string, config: Record<string, unknown>): string | undefined {
  if (!URI_REFERENCE.test(value)) return 'illegal character';
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) ? parseAbsoluteUri(value) : undefined;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && !absolute) return 'not a valid absolute URI';
  const schemes = config.allowedSchemes;
  if (Array.isArray(schemes) && schemes.length > 0 && !(absolute && schemes.includes(absolute.scheme.toLowerCase()))) return 'scheme not allowed';
  if ((config.allowFragment === false || config.allowFragment === 'false') && value.includes('#')) return 'fragment not allowed';
  if ((config.requireValidUrl === true || config.requireValidUrl === 'true') && !(absolute && absolute.authority)) return 'not a valid URL';
  return undefined;
}

const uri: Validator = {
  configProblem: (config) => (config.allowedSchemes === undefined || (Array.isArray(config.allowedSchemes) && config.allowedSchemes.every((s) => typeof s === 'string')) ? undefined : `'allowedSchemes' must be a list of strings`),
  validate(attribute, values, config) {
    const errors: ProfileError[] = [];
    for (const value of values) {
      const problem = uriProblem(value, config);
      if (problem) errors.push(error(attribute, message(config, 'error-invalid-uri'), value, problem));
    }
    return errors;
  },
};

function characterRule(prohibited: RegExp, key: string): Validator {
  return {
    configProblem: () => undefined,
    validate: (attribute, values, config) => (values.some((v) => prohibited.test(v)) ? [error(attribute, message(config, key))] : []),
  };
}

/** What Keycloak's person-name rule refuses: markup and shell characters, and control characters. */
const PERSON_NAME_PROHIBITED = /[<>&"$%!#?§;*~/\\|^=[\]{}()\t\u2028\u2029]|\p{Cc}/u;
/** What Keycloak's username rule refuses: the above plus whitespace, quotes, `,` `:` and backquote. */
const USERNAME_PROHIBITED = /[<>&"'$%!#?§,;:*~/\\|^=[\]{}()`]|\s|\p{Cc}/u;
/** Letters of other scripts that look like Latin ones (homographs), and combining marks. */
const NOT_LATIN_OR_COMMON = /[^\p{Script=Latin}\p{Script=Common}]/u;

const multivalued: Validator = {
  keepsEmpty: true,
  configProblem: (config) => numbersProblem(config, ['min', 'max'], true),
  validate(attribute, values, config) {
    const min = bound(config, 'min', true) ?? 0;
    const max = bound(config, 'max', true);
    const count = values.filter((v) => v !== '').length;
    return count < min || (max !== undefined && count > max) ? [error(attribute, message(config, 'error-invalid-multivalued-size'), min, max ?? null)] : [];
  },
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const isoDate: Validator = {
  configProblem: () => undefined,
  validate: (attribute, values, config) =>
    values
      .filter((v) => {
        const m = ISO_DATE.exec(v);
        if (!m) return true;
        const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        return date.getUTCMonth() !== Number(m[2]) - 1 || date.getUTCDate() !== Number(m[3]);
      })
      .map(() => error(attribute, message(config, 'error-invalid-date'))),
};

export const VALIDATORS: ReadonlyMap<string, Validator> = new Map([
  ['length', length],
  ['email', email],
  ['pattern', pattern],
  ['options', options],
  ['integer', numberValidator(true)],
  ['double', numberValidator(false)],
  ['uri', uri],
  ['iso-date', isoDate],
  ['multivalued', multivalued],
  ['person-name-prohibited-characters', characterRule(PERSON_NAME_PROHIBITED, 'error-person-name-invalid-character')],
  ['username-prohibited-characters', characterRule(USERNAME_PROHIBITED, 'error-username-invalid-character')],
  ['up-username-not-idn-homograph', characterRule(NOT_LATIN_OR_COMMON, 'error-username-invalid-character')],
]);

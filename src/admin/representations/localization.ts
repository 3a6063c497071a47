/**
 * Realm localization texts as the admin API and realm files carry them (`localizationTexts`:
 * locale → key → text). Keycloak takes a number or boolean as its text; so does holdfast. Keys
 * and locales are bounded like Keycloak's columns (255), texts to 64 KiB.
 */
import { ShapeError, field, record, type Check } from '../json-shape.ts';

const MAX_NAME = 255;
const MAX_TEXT = 65535;

/** A text, checked for its length; the path names it in errors. */
export function checkText(value: string, path: string): string {
  if (value.length > MAX_TEXT) throw new ShapeError(path, `at most ${MAX_TEXT} characters`);
  return value;
}

export function checkName(value: string, path: string): string {
  if (value === '' || value.length > MAX_NAME) throw new ShapeError(path, `must be 1 to ${MAX_NAME} characters`);
  return value;
}

const text: Check<string> = (value, path) => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new ShapeError(path, 'expected a string');
  return checkText(String(value), path);
};

/** Names of a map's keys, checked after its values. */
function namedKeys<T>(check: Check<Record<string, T>>): Check<Record<string, T>> {
  return (value, path) => {
    const checked = check(value, path);
    for (const name of Object.keys(checked ?? {})) checkName(name, field(path, name));
    return checked;
  };
}

/** One locale's texts. */
export const localeTexts = namedKeys(record(text));

/** Every locale's texts, as in a realm file. */
export const localizationTexts = namedKeys(record(localeTexts));

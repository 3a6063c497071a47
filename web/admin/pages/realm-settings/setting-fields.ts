/**
 * The realm settings each tab edits, under Keycloak's RealmRepresentation names, and how a field's
 * text in the form becomes the value sent (or a message to show next to it). Lifespans are seconds
 * in the API and shown with a unit, as Keycloak's console shows them.
 */
export type Draft = Record<string, unknown>;

interface Common {
  name: string;
  /** A short hint under the field (message key `realmSettings.<name>.hint`). */
  hint?: boolean;
  /** Shown only while this is true of the form (e.g. reuse count only with rotation on). */
  shownWhen?: (draft: Draft) => boolean;
}

export type SettingField =
  | (Common & { kind: 'time' })
  | (Common & { kind: 'number' })
  | (Common & { kind: 'switch' })
  | (Common & { kind: 'text' })
  /** A list of words (locales), typed comma-separated. */
  | (Common & { kind: 'list' })
  | (Common & { kind: 'select'; options: readonly string[] });

export interface SettingGroup {
  /** Message key of the group's heading. */
  heading: string;
  fields: SettingField[];
}

export interface TimeValue {
  amount: string;
  unit: number;
}

export const TIME_UNITS = [
  { seconds: 1, key: 'realmSettings.unitSeconds' },
  { seconds: 60, key: 'realmSettings.unitMinutes' },
  { seconds: 3600, key: 'realmSettings.unitHours' },
  { seconds: 86400, key: 'realmSettings.unitDays' },
] as const;

/** The largest unit that shows the value as a whole number (0 shows in minutes, as Keycloak's console). */
export function toTimeValue(seconds: number): TimeValue {
  if (seconds === 0) return { amount: '0', unit: 60 };
  const unit = [...TIME_UNITS].reverse().find((u) => seconds % u.seconds === 0)?.seconds ?? 1;
  return { amount: String(seconds / unit), unit };
}

export function toDraft(fields: SettingField[], rep: Record<string, unknown>): Draft {
  const draft: Draft = {};
  for (const field of fields) {
    const value = rep[field.name];
    if (field.kind === 'time') draft[field.name] = toTimeValue(typeof value === 'number' ? value : 0);
    else if (field.kind === 'number') draft[field.name] = value === undefined ? '' : String(value);
    else if (field.kind === 'switch') draft[field.name] = value === true;
    else if (field.kind === 'list') draft[field.name] = Array.isArray(value) ? value.join(', ') : '';
    else draft[field.name] = typeof value === 'string' ? value : '';
  }
  return draft;
}

const WHOLE_NUMBER = /^-?\d+$/;

/** The body of the update, or the fields' messages when a text is not a whole number. */
export function fromDraft(fields: SettingField[], draft: Draft): { body: Record<string, unknown>; errors: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    if (field.shownWhen && !field.shownWhen(draft)) continue;
    const value = draft[field.name];
    if (field.kind === 'time' || field.kind === 'number') {
      const text = (field.kind === 'time' ? (value as TimeValue).amount : (value as string)).trim();
      if (!WHOLE_NUMBER.test(text)) {
        errors[field.name] = 'realmSettings.wholeNumber';
        continue;
      }
      body[field.name] = Number(text) * (field.kind === 'time' ? (value as TimeValue).unit : 1);
    } else if (field.kind === 'list') {
      body[field.name] = (value as string).split(',').map((item) => item.trim()).filter((item) => item !== '');
    } else body[field.name] = value;
  }
  return { body, errors };
}

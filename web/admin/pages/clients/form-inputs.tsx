/**
 * The inputs the client and client-scope forms are made of: a text input, a list of URIs (one per
 * line, as the admin edits them) and a switch, each a labelled Field showing its error.
 */
import { Field, describedBy } from '../../components/field.tsx';

const valueOf = (event: Event) => (event.target as HTMLInputElement).value;

interface TextProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  error?: string;
  required?: boolean;
  disabled?: boolean;
  type?: string;
}

export function TextInput(p: TextProps) {
  return (
    <Field id={p.id} label={p.label} hint={p.hint} error={p.error}>
      <input id={p.id} name={p.id} type={(p.type ?? 'text') as 'text'} value={p.value} required={p.required} disabled={p.disabled} onInput={(e) => p.onChange(valueOf(e))} {...describedBy(p.id, p.error, p.hint)} />
    </Field>
  );
}

interface ListProps {
  id: string;
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  hint?: string;
  error?: string;
  disabled?: boolean;
}

/** One value per line; empty lines are dropped when the form is saved, not while typing. */
export function ListInput(p: ListProps) {
  return (
    <Field id={p.id} label={p.label} hint={p.hint} error={p.error}>
      <textarea id={p.id} name={p.id} rows={Math.min(6, Math.max(2, p.values.length + 1))} value={p.values.join('\n')} disabled={p.disabled} onInput={(e) => p.onChange(valueOf(e).split('\n'))} {...describedBy(p.id, p.error, p.hint)} />
    </Field>
  );
}

export const cleanList = (values: string[] | undefined): string[] => (values ?? []).map((v) => v.trim()).filter((v) => v !== '');

interface SwitchProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}

export function Switch(p: SwitchProps) {
  return (
    <div class="field">
      <label for={p.id}>
        <input id={p.id} name={p.id} type="checkbox" role="switch" checked={p.checked} disabled={p.disabled} onChange={(e) => p.onChange((e.target as HTMLInputElement).checked)} {...(p.hint ? { 'aria-describedby': `${p.id}-hint` } : {})} />
        {p.label}
      </label>
      {p.hint ? <small id={`${p.id}-hint`}>{p.hint}</small> : null}
    </div>
  );
}

/**
 * A labelled form field with its hint and the server's error for it (aria-invalid and
 * aria-describedby point at them). The control is passed as children so any input fits.
 */
import type { ComponentChildren } from 'preact';

interface Props {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: ComponentChildren;
}

export function Field({ id, label, hint, error, children }: Props) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {error ? (
        <small id={`${id}-error`} class="field-error" role="alert">
          {error}
        </small>
      ) : hint ? (
        <small id={`${id}-hint`}>{hint}</small>
      ) : null}
    </div>
  );
}

/** The aria attributes for a control inside a Field. */
export function describedBy(id: string, error?: string, hint?: string): Record<string, string | boolean> {
  if (error) return { 'aria-invalid': true, 'aria-describedby': `${id}-error` };
  return hint ? { 'aria-describedby': `${id}-hint` } : {};
}

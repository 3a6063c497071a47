/**
 * A button for a destructive action: it opens a modal dialog (the native <dialog>, which traps
 * focus and closes on Escape) and runs the action only when confirmed. The action's error, if
 * any, is shown as an alert; success with `done`.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';
import { messageOf } from '../api.ts';
import { t } from '../i18n.ts';
import { notify } from './alerts.tsx';

interface Props {
  label: ComponentChildren;
  title: string;
  message: ComponentChildren;
  confirmLabel?: string;
  onConfirm: () => Promise<unknown>;
  done?: string;
  class?: string;
  disabled?: boolean;
  testId?: string;
}

export function ConfirmButton(props: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  // One id per dialog: a table has a button like this in every row, all with the same testId.
  const titleId = `${useId()}-confirm-title`;
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
      if (props.done) notify('success', props.done);
      dialog.current?.close();
    } catch (error) {
      dialog.current?.close();
      notify('error', messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={props.class ?? 'secondary outline'} disabled={props.disabled} data-testid={props.testId} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <article>
          <h2 id={titleId}>{props.title}</h2>
          <p>{props.message}</p>
          <footer>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {t('doCancel')}
            </button>
            <button type="button" class="danger" aria-busy={busy} disabled={busy} data-testid="confirm" onClick={confirm}>
              {props.confirmLabel ?? t('confirm')}
            </button>
          </footer>
        </article>
      </dialog>
    </>
  );
}

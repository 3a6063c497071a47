/**
 * The header of a detail page (a user, a group, a role): its title, any further actions, and
 * delete behind a confirmation, after which the page goes where the thing was listed.
 */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n.ts';
import { navigate } from '../router.ts';
import { ConfirmButton } from './confirm-button.tsx';

interface Props {
  title: string;
  /** `data-testid` prefix: `{testId}-title` and `{testId}-delete`. */
  testId: string;
  /** Delete: only when the admin may; the API call, its confirmation texts and where to go after. */
  remove?: { call: () => Promise<unknown>; title: string; message: string; done: string; then: string };
  children?: ComponentChildren;
}

export function DetailHeader({ title, testId, remove, children }: Props) {
  return (
    <header class="page-header">
      <h1 data-testid={`${testId}-title`}>{title}</h1>
      {children}
      {remove ? (
        <ConfirmButton
          testId={`${testId}-delete`}
          class="danger"
          label={t('doDelete')}
          title={remove.title}
          message={remove.message}
          done={remove.done}
          onConfirm={async () => {
            await remove.call();
            navigate(remove.then);
          }}
        />
      ) : null}
    </header>
  );
}

/** Loading and error states, the same on every page. */
import { t } from '../i18n.ts';

export function Loading() {
  return <p aria-busy="true">{t('loading')}</p>;
}

export function ErrorMessage({ message }: { message: string }) {
  return (
    <p class="error-message" role="alert">
      {message}
    </p>
  );
}

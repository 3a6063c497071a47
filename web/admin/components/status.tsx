/** Loading and error states, the same on every page. */
import { t } from '../i18n.ts';
import type { Async } from './use-async.ts';

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

/**
 * The loading and error states of one `useAsync` result: "loading" only until the first data
 * (a reload keeps showing what is there), the server's message when it failed, and `missing`
 * when it loaded nothing.
 */
export function AsyncStatus({ of, missing }: { of: Pick<Async<unknown>, 'loading' | 'data' | 'error'>; missing?: string }) {
  const empty = !of.loading && !of.error && of.data === undefined;
  return (
    <>
      {of.loading && of.data === undefined ? <Loading /> : null}
      {of.error ? <ErrorMessage message={of.error} /> : null}
      {empty && missing ? <ErrorMessage message={missing} /> : null}
    </>
  );
}

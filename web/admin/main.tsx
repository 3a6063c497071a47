/**
 * The admin console: sign in through holdfast's own login (keycloak-js, PKCE), read the admin's
 * roles, then show the shell. An account without admin roles gets a page saying so, with a way
 * out; it never sees data (the API would refuse it anyway).
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import '@picocss/pico/css/pico.min.css';
import './console.css';
import { Access, AccessContext, loadAccess, type WhoAmI } from './access.ts';
import { ApiError, messageOf } from './api.ts';
import { signIn, signOut } from './auth.ts';
import { setLocale, t } from './i18n.ts';
import { Shell } from './shell.tsx';

function Refused({ message }: { message: string }) {
  return (
    <main class="container refused">
      <h1>{t('adminConsole')}</h1>
      <p role="alert" data-testid="refused">
        {message}
      </p>
      <button type="button" onClick={() => void signOut()}>
        {t('doSignOut')}
      </button>
    </main>
  );
}

/** The shell with the admin's access, which a page may ask to read again. */
function Console({ initial }: { initial: WhoAmI }) {
  const [whoami, setWhoami] = useState(initial);
  const access = new Access(whoami, async () => setWhoami(await loadAccess()));
  return (
    <AccessContext.Provider value={access}>
      <Shell />
    </AccessContext.Provider>
  );
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  // The server-rendered "Loading…" placeholder is not Preact's: clear it so the app replaces it.
  root.replaceChildren();
  try {
    await signIn();
  } catch (error) {
    render(<Refused message={t('signInFailed', messageOf(error))} />, root);
    return;
  }
  try {
    const whoami = await loadAccess();
    setLocale(whoami.locale || navigator.language);
    render(<Console initial={whoami} />, root);
  } catch (error) {
    setLocale(navigator.language);
    const message = error instanceof ApiError && error.status === 403 ? t('noConsoleAccess') : messageOf(error);
    render(<Refused message={message} />, root);
  }
}

void start();

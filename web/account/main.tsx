/**
 * The account console: Keycloak's published account pages (`@keycloak/keycloak-account-ui`),
 * unmodified, mounted the way Keycloak's account theme mounts them: the environment from the
 * page's JSON block, texts from `/resources/{realm}/account/{locale}`, the package's routes under
 * the console's base path, and the package's KeycloakProvider signing in as `account-console`
 * (keycloak-js, PKCE). Only the frame around the pages (root.tsx) is ours, since the package
 * exports the pages and menu but not the app that holds them.
 */
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { routes, type AccountEnvironment } from '@keycloak/keycloak-account-ui';
import '@patternfly/react-core/dist/styles/base.css';
import '@patternfly/patternfly/patternfly-addons.css';
// The packages' own style sheets are not in their export maps: imported by path.
import '../../node_modules/@keycloak/keycloak-ui-shared/dist/main.css';
import '../../node_modules/@keycloak/keycloak-account-ui/lib/keycloak-account-ui.css';
import { startI18n } from './i18n.ts';
import { AccountRoot, RouteError } from './root.tsx';

function readEnvironment(): AccountEnvironment {
  const block = document.getElementById('environment')?.textContent;
  if (!block) throw new Error('The page has no environment block.');
  return JSON.parse(block) as AccountEnvironment;
}

async function start(): Promise<void> {
  const environment = readEnvironment();
  await startI18n(environment);
  const router = createBrowserRouter([
    {
      path: decodeURIComponent(new URL(environment.baseUrl).pathname),
      element: <AccountRoot environment={environment} />,
      errorElement: <RouteError />,
      children: routes,
    },
  ]);
  const container = document.getElementById('app')!;
  // The server-rendered placeholder is not React's: clear it so React owns the element.
  container.replaceChildren();
  createRoot(container).render(<RouterProvider router={router} />);
}

void start();

/**
 * The frame around the package's pages, as Keycloak's account app draws it: the package's own
 * Header and PageNav (the menu comes from `content.json` under the resource URL) around the
 * routed page, inside the package's KeycloakProvider, which signs the user in before anything
 * renders and gives every page the keycloak-js instance for its API calls.
 */
import { Suspense } from 'react';
import { Outlet, useRouteError } from 'react-router-dom';
import { Page, PageSection, PageSidebar, PageSidebarBody, Spinner } from '@patternfly/react-core';
import { Header, KeycloakProvider, PageNav, type AccountEnvironment } from '@keycloak/keycloak-account-ui';

export function AccountRoot({ environment }: { environment: AccountEnvironment }) {
  return (
    <KeycloakProvider environment={environment}>
      <Page
        header={<Header />}
        sidebar={
          <PageSidebar>
            <PageSidebarBody>
              <PageNav />
            </PageSidebarBody>
          </PageSidebar>
        }
        isManagedSidebar
      >
        <Suspense fallback={<Spinner aria-label="Loading" />}>
          <Outlet />
        </Suspense>
      </Page>
    </KeycloakProvider>
  );
}

/** A route that failed to load or render: its message, never a stack trace. */
export function RouteError() {
  const error = useRouteError();
  const message = error instanceof Error ? error.message : String(error);
  return (
    <PageSection>
      <p role="alert">{message}</p>
    </PageSection>
  );
}

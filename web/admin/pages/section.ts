/**
 * A console section: a nav entry (unless `nav` is false) and the page under `#/{realm}/{id}/…`,
 * shown only to admins holding one of `requires` in that realm (none: any admin of the realm).
 */
import type { FunctionComponent } from 'preact';
import type { AdminRole } from '../access.ts';

export interface PageProps {
  realm: string;
  /** The route's segments after the section id. */
  rest: string[];
}

export interface Section {
  id: string;
  /** Message key of the nav label. */
  label: string;
  requires: readonly AdminRole[];
  group: 'manage' | 'configure';
  nav?: boolean;
  component: FunctionComponent<PageProps>;
}

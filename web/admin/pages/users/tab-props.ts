import type { UserRep } from './types.ts';

/** What every tab of a user gets: the user as last read, whether the admin may change it, and a reload. */
export interface UserTabProps {
  realm: string;
  user: UserRep;
  manage: boolean;
  reload: () => void;
}

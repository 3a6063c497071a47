/**
 * Every migration, in order. Names sort lexically; never rename or edit a landed one. A migration
 * that removes or changes what an older release still uses exports `contracting = true`: once it
 * is applied, nodes that do not know it refuse to start (schema-compatibility.ts).
 */
import type { Migration } from 'kysely';
import * as initial from './001-initial.ts';
import * as loginAttempt from './002-login-attempt.ts';
import * as authSessionOrigin from './003-auth-session-origin.ts';
import * as sealedKeys from './004-sealed-keys.ts';
import * as groups from './005-groups.ts';
import * as clientScopes from './006-client-scopes.ts';
import * as adminMisc from './007-admin-misc.ts';
import * as userProfile from './008-user-profile.ts';
import * as keyProviders from './009-key-providers.ts';
import * as otpUsedCodes from './010-otp-used-codes.ts';
import * as singleUse from './011-single-use.ts';
import * as events from './012-events.ts';
import * as protocolMappers from './013-protocol-mappers.ts';
import * as ephemeralRecords from './014-ephemeral-records.ts';
import * as userConsents from './015-user-consents.ts';
import * as sessionUserAgent from './016-session-user-agent.ts';
import * as realmSessionList from './021-realm-session-list.ts';
import * as identityProviders from './022-identity-providers.ts';
import * as sessionNotes from './023-session-notes.ts';
import * as schemaCompatibility from './030-schema-compatibility.ts';
import * as clientSessionCount from './031-client-session-count.ts';

export const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-login-attempt': loginAttempt,
  '003-auth-session-origin': authSessionOrigin,
  '004-sealed-keys': sealedKeys,
  '005-groups': groups,
  '006-client-scopes': clientScopes,
  '007-admin-misc': adminMisc,
  '008-user-profile': userProfile,
  '009-key-providers': keyProviders,
  '010-otp-used-codes': otpUsedCodes,
  '011-single-use': singleUse,
  '012-events': events,
  '013-protocol-mappers': protocolMappers,
  '014-ephemeral-records': ephemeralRecords,
  '015-user-consents': userConsents,
  '016-session-user-agent': sessionUserAgent,
  '021-realm-session-list': realmSessionList,
  '022-identity-providers': identityProviders,
  '023-session-notes': sessionNotes,
  '030-schema-compatibility': schemaCompatibility,
  '031-client-session-count': clientSessionCount,
};

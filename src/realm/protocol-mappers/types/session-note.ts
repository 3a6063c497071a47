/**
 * `oidc-usersessionmodel-note-mapper`: a user session note as a claim. holdfast's sessions have
 * the notes Keycloak's built-in mappers read: `AUTH_TIME` (the `basic` scope's `auth_time`), and
 * for service accounts `clientHost`, `clientAddress`, `client_id`, and a brokered login's
 * `identity_provider`, `identity_provider_identity`, `broker_session_id` and `broker_user_id`.
 */
import { claimWriter } from '../claim-writer.ts';
import { ALL_KINDS, type MapperType } from '../mapper-type.ts';

export const sessionNoteMapper: MapperType = {
  providerId: 'oidc-usersessionmodel-note-mapper',
  priority: 0,
  kinds: [...ALL_KINDS, 'response'],
  compile(config) {
    const note = config['user.session.note'] ?? '';
    return claimWriter(config, ({ notes }) => (Object.hasOwn(notes, note) ? [notes[note]] : []), { multivalued: false });
  },
};

/**
 * One user event being put together while a request runs, as Keycloak's EventBuilder: the
 * endpoint opens it with its type, the steps add the client, user, session and details they
 * learn, and the first `success()` or `error()` records it; later calls do nothing, so a step
 * can record the precise error before it throws and the endpoint's fallback stays silent.
 */
import type { FastifyRequest } from 'fastify';
import type { LoadedRealm } from '../realm/index.ts';
import { errorTypeOf, type EventType } from './event-types.ts';

export interface EventSink {
  recordUserEvent(builder: EventBuilder, type: EventType, error: string | undefined): void;
}

export class EventBuilder {
  clientId?: string;
  userId?: string;
  sessionId?: string;
  readonly details: Record<string, string> = {};
  private recorded = false;

  constructor(
    private readonly sink: EventSink,
    readonly realm: LoadedRealm,
    public type: EventType,
    readonly ipAddress: string,
    /** The request the event happens in, told of a failure so its metrics do not count it a success. */
    readonly request?: FastifyRequest,
  ) {}

  client(clientId: string | undefined): this {
    this.clientId = clientId;
    return this;
  }

  user(userId: string | undefined): this {
    this.userId = userId;
    return this;
  }

  session(sessionId: string | undefined): this {
    this.sessionId = sessionId;
    return this;
  }

  detail(name: string, value: string | undefined): this {
    if (value !== undefined) this.details[name] = value;
    return this;
  }

  get done(): boolean {
    return this.recorded;
  }

  /** Records nothing, now or later: for outcomes Keycloak keeps out of the event log (a device still waiting). */
  discard(): void {
    this.recorded = true;
  }

  success(): void {
    if (this.recorded) return;
    this.recorded = true;
    this.sink.recordUserEvent(this, this.type, undefined);
  }

  /** Records the type's `_ERROR` companion with Keycloak's error string (`invalid_user_credentials` and the like). */
  error(error: string): void {
    if (this.recorded) return;
    this.recorded = true;
    this.sink.recordUserEvent(this, errorTypeOf(this.type), error);
  }
}

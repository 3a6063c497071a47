/**
 * The console's only way to the server: the admin REST API, with the admin's bearer token. Errors
 * become ApiError with the server's own message (Keycloak's `errorMessage`, `error_description` or
 * `error`), which pages show next to the field or action; never a stack trace.
 */
import { accessToken } from './auth.ts';
import { environment } from './environment.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The field the server blamed, when it names one (`field` in Keycloak's error body). */
    readonly field?: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

function url(path: string, query?: Query): string {
  const base = path.startsWith('/admin/') ? path : `/admin/realms${path}`;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') search.set(key, String(value));
  const qs = search.toString();
  return `${environment.authServerUrl}${base}${qs ? `?${qs}` : ''}`;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON: the status text is all there is.
  }
  const text = [body.errorMessage, body.error_description, body.error].find((v): v is string => typeof v === 'string' && v !== '');
  const message = text ?? (response.status === 403 ? 'You do not have the permission for this.' : `The server answered ${response.status}.`);
  return new ApiError(response.status, message, typeof body.field === 'string' ? body.field : undefined);
}

async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${await accessToken()}`, accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(url(path, query), { method, headers, body: payload });
  } catch {
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Paths start at `/admin/realms` unless they start with `/admin/` themselves. */
export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, undefined, query),
  post: <T = void>(path: string, body?: unknown, query?: Query) => call<T>('POST', path, body, query),
  put: <T = void>(path: string, body?: unknown, query?: Query) => call<T>('PUT', path, body, query),
  del: <T = void>(path: string, body?: unknown, query?: Query) => call<T>('DELETE', path, body, query),
};

/** `/{realm}` with the realm name encoded, the start of most admin paths. */
export function realmPath(realm: string, ...parts: string[]): string {
  return `/${encodeURIComponent(realm)}${parts.map((p) => `/${encodeURIComponent(p)}`).join('')}`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

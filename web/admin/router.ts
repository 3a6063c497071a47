/**
 * Hash routes, `#/{realm}/{section}/{rest…}`, so the server serves one page for the whole console
 * and a reload keeps the place. Every segment is URI-encoded.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  realm?: string;
  section?: string;
  rest: string[];
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { realm: parts[0], section: parts[1], rest: parts.slice(2) };
}

export function href(realm: string, ...parts: string[]): string {
  return `#/${[realm, ...parts].map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

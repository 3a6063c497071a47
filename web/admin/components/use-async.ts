/** Loads data for a page and reloads it on demand; the error is the server's readable message. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api.ts';

export interface Async<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

interface Settled<T> {
  data?: T;
  error?: string;
  /** The inputs (deps and reload round) this answer was loaded for; undefined before the first. */
  inputs?: unknown[];
}

const sameInputs = (a: unknown[] | undefined, b: unknown[]) => a !== undefined && a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

/**
 * `loading` is worked out in the render itself: true whenever the last answer was loaded for other
 * inputs. Setting it from the effect instead would leave one render in which new inputs show the
 * old answer as current, so a page that switches on `loading` mounts what it shows twice (a form
 * filled in between loses what was typed).
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [settled, setSettled] = useState<Settled<T>>({});
  const [round, setRound] = useState(0);
  const inputs = [...deps, round];
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setSettled({ data, inputs }),
      (error) => current && setSettled({ error: messageOf(error), inputs }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, inputs);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data: settled.data, error: settled.error, loading: !sameInputs(settled.inputs, inputs), reload };
}

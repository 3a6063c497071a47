/**
 * Short messages after an action ("Session signed out", or the server's error), announced to
 * screen readers through a live region and dismissed after a while or by the close button.
 */
import { useEffect, useState } from 'preact/hooks';

export type AlertKind = 'success' | 'error';
interface Alert {
  id: number;
  kind: AlertKind;
  message: string;
}

let next = 1;
const listeners = new Set<(alert: Alert) => void>();

export function notify(kind: AlertKind, message: string): void {
  const alert = { id: next++, kind, message };
  for (const listener of listeners) listener(alert);
}

const SHOWN_MS = 8000;

export function Alerts() {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  useEffect(() => {
    const add = (alert: Alert) => {
      setAlerts((current) => [...current.slice(-4), alert]);
      setTimeout(() => setAlerts((current) => current.filter((a) => a.id !== alert.id)), SHOWN_MS);
    };
    listeners.add(add);
    return () => listeners.delete(add);
  }, []);
  return (
    <div class="alerts" aria-live="polite" role="status">
      {alerts.map((alert) => (
        <div key={alert.id} class={`alert alert-${alert.kind}`} data-testid={`alert-${alert.kind}`}>
          <span>{alert.message}</span>
          <button type="button" class="outline secondary" aria-label="Close" onClick={() => setAlerts((current) => current.filter((a) => a.id !== alert.id))}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

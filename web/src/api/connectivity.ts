// Whether the server answers, as seen by every request and socket of the page. One shared flag so a single
// banner can say "server unreachable" no matter which view noticed first.
type Listener = (online: boolean) => void;

let online = true;
let lastFailure: string | null = null;
const listeners = new Set<Listener>();

export function reportReachable(): void {
  if (!online) {
    online = true;
    listeners.forEach((listener) => listener(true));
  }
}

export function reportUnreachable(reason: string): void {
  lastFailure = reason;
  if (online) {
    online = false;
    listeners.forEach((listener) => listener(false));
  }
}

export function isOnline(): boolean {
  return online;
}

export function lastFailureReason(): string | null {
  return lastFailure;
}

export function subscribeConnectivity(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

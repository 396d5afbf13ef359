// The page-wide notices: server unreachable (with automatic reconnection), a token prompt when the server
// requires one, and API errors in words.
import { useEffect, useState } from "react";

import { setToken } from "../api/client";

export function ConnectionBanner({ online, onRetry }: { online: boolean; onRetry: () => void }) {
  const [since, setSince] = useState<number | null>(null);
  const [, setNow] = useState(0);
  useEffect(() => {
    setSince(online ? null : Date.now());
    if (online) return;
    const timer = setInterval(() => setNow((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [online]);
  if (online) return null;
  const seconds = since ? Math.round((Date.now() - since) / 1000) : 0;
  return (
    <div className="banner banner-down" role="alert" data-testid="offline-banner">
      <strong>The nettune server is not reachable.</strong> Reconnecting automatically
      {seconds > 0 ? ` (${seconds} s)` : ""}… Jobs keep running on the server; this page catches up when it is back.
      <button type="button" className="small-button" onClick={onRetry}>Retry now</button>
    </div>
  );
}

export function TokenPrompt({ onSaved }: { onSaved: () => void }) {
  const [value, setValue] = useState("");
  return (
    <form className="banner banner-auth" onSubmit={(e) => {
      e.preventDefault();
      setToken(value.trim() || null);
      onSaved();
    }}>
      <label htmlFor="token">
        This server needs an access token (its <code>--token</code> / <code>NETTUNE_API_TOKEN</code>):
      </label>
      <input id="token" type="password" value={value} onChange={(e) => setValue(e.target.value)}
        autoComplete="current-password" />
      <button type="submit" className="small-button">Use token</button>
    </form>
  );
}

export function ErrorLine({ message }: { message: string | null }) {
  if (!message) return null;
  return <div className="banner banner-error" role="alert">{message}</div>;
}

import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api";
import { signIn } from "../app/session";
import { Notice } from "../ui/Notice";

/** Email and password; says plainly what went wrong (wrong password, too many tries). */
export function SignInScreen({ reason }: { reason: string | null }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const wait = useCountdown(waitUntil);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (busy || wait > 0) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (caught) {
      setPassword("");
      if (caught instanceof ApiError && caught.status === 429) {
        const seconds = caught.retryAfter ?? 60;
        setWaitUntil(Date.now() + seconds * 1000);
        setError("Too many failed sign-ins from here.");
      } else if (caught instanceof ApiError && caught.code === "bad_credentials") {
        setError("Wrong email or password. Check both and try again.");
        passwordRef.current?.focus();
      } else {
        setError(caught instanceof Error ? caught.message : String(caught));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={(event) => void submit(event)} aria-labelledby="signin-title">
        <p className="brand signin-brand">Accord</p>
        <h1 id="signin-title">Sign in</h1>
        {reason ? <Notice tone="info">{reason}</Notice> : null}
        {error ? (
          <Notice tone="error">
            {error}
            {wait > 0 ? ` Wait ${wait} second${wait === 1 ? "" : "s"} before trying again.` : null}
          </Notice>
        ) : null}
        <label className="field">
          <span>Email</span>
          <input type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            ref={passwordRef}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="button-primary" disabled={busy || wait > 0}>
          {busy ? "Signing in…" : wait > 0 ? `Try again in ${wait} s` : "Sign in"}
        </button>
      </form>
    </main>
  );
}

/** Whole seconds left until `until` (ms since epoch), ticking every second. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError, type AppNotification } from "../api";
import { navigate } from "../app/router";
import { Kbd } from "../ui/Kbd";
import { isBellKey, POLL_MS, timeAgo } from "./bell";
import "./notifications.css";

/** Anyone may ask the bell to look again at once (e.g. after an action that notifies). */
export const REFRESH_EVENT = "accord:notifications";

/** The top bar's bell: the unread count, and the list of one's notifications (Alt+N). */
export function NotificationBell() {
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  const refresh = useCallback(() => {
    api.notifications.unread().then(
      (found) => setUnread(found.unread),
      () => {}, // offline or signed out: the count stays as it was
    );
  }, []);

  useEffect(() => {
    refresh();
    const timer = window.setInterval(() => document.visibilityState === "visible" && refresh(), POLL_MS);
    const onVisible = () => document.visibilityState === "visible" && refresh();
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener(REFRESH_EVENT, refresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener(REFRESH_EVENT, refresh);
    };
  }, [refresh]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || !isBellKey(event)) return;
      event.preventDefault();
      setOpen((was) => !was);
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  function close(): void {
    setOpen(false);
    button.current?.focus();
  }

  const label = unread ? `Notifications, ${unread} unread` : "Notifications";
  return (
    <div className="bell">
      <button
        ref={button}
        type="button"
        className="button-quiet bell-button"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="true"
        title={`${label} (Alt+N)`}
        onClick={() => setOpen((was) => !was)}
      >
        <BellIcon />
        {unread ? (
          <span className="bell-badge" data-unread={unread}>
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
        <Kbd keys="Alt+N" />
      </button>
      {open ? <BellList onClose={close} onUnread={setUnread} /> : null}
    </div>
  );
}

function BellList({ onClose, onUnread }: { onClose: () => void; onUnread: (n: number) => void }) {
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    api.notifications.list().then(
      (page) => {
        if (!live) return;
        setItems(page.items);
        onUnread(page.unread);
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [onUnread]);

  useEffect(() => {
    panel.current?.querySelector<HTMLElement>("a, button")?.focus();
  }, [items]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key === "Escape") {
        event.preventDefault();
        onClose();
      }
    }
    function onPointer(event: PointerEvent): void {
      if (panel.current && !panel.current.parentElement?.contains(event.target as Node)) onClose();
    }
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [onClose]);

  async function markRead(ids: number[] | null): Promise<void> {
    try {
      const left = await api.notifications.markRead(ids);
      onUnread(left.unread);
      window.dispatchEvent(new Event(REFRESH_EVENT)); // the bell of the page it led to, too
      const now = new Date().toISOString();
      setItems((was) => was?.map((n) => (ids === null || ids.includes(n.id) ? { ...n, read_at: n.read_at ?? now } : n)) ?? null);
    } catch (e) {
      if (!(e instanceof ApiError && e.isUnauthorized)) setError(e instanceof Error ? e.message : String(e));
    }
  }

  function follow(n: AppNotification): void {
    void markRead([n.id]);
    onClose();
    if (n.link) navigate(n.link);
  }

  return (
    <div className="bell-panel" ref={panel} role="region" aria-label="Notifications">
      <div className="bell-head">
        <strong>Notifications</strong>
        <button type="button" className="button-quiet" onClick={() => void markRead(null)} disabled={!items?.some((n) => !n.read_at)}>
          Mark all read
        </button>
      </div>
      {error ? <p className="bell-error">{error}</p> : null}
      {items === null && !error ? <p className="muted bell-empty">Loading…</p> : null}
      {items?.length === 0 ? <p className="muted bell-empty">Nothing yet. Answers to your questions show up here.</p> : null}
      {items?.length ? (
        <ul className="bell-list">
          {items.map((n) => (
            <li key={n.id} className={n.read_at ? "bell-item" : "bell-item bell-unread"} data-kind={n.kind}>
              <a
                href={n.link || "#"}
                onClick={(event) => {
                  if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  follow(n);
                }}
              >
                <span className="bell-text">{n.text}</span>
                <span className="muted small">{timeAgo(n.created_at, Date.now())}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="muted small bell-foot">
        Open or close: <Kbd keys="Alt+N" /> · Close: <Kbd keys="Esc" />
      </p>
    </div>
  );
}

function BellIcon() {
  return (
    <svg className="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
      />
    </svg>
  );
}

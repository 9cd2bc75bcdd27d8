import { useEffect, useState } from "react";
import { ApiError } from "../api";
import { useLoad, type Loaded } from "./useLoad";

/** A page of a list the server gives newest first; `next_before` asks for the older ones. */
export interface OlderPage<T> {
  items: T[];
  next_before: number | null;
}

export interface Pages<T> {
  first: Loaded<OlderPage<T>>;
  reload: () => void;
  /** Every item loaded so far, newest first. */
  items: (page: OlderPage<T>) => T[];
  hasOlder: boolean;
  loadingOlder: boolean;
  error: string | null;
  loadOlder: () => Promise<void>;
}

/** The first page of a list, and the older ones on demand ("Show older"). */
export function usePages<T>(load: (before: number | null) => Promise<OlderPage<T>>, key: string): Pages<T> {
  const [first, reload] = useLoad(() => load(null), key);
  const [more, setMore] = useState<T[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  useEffect(() => {
    if (first.status === "ready") {
      setMore([]);
      setNext(first.value.next_before);
    }
  }, [first]);

  async function loadOlder(): Promise<void> {
    if (next === null) return;
    setLoadingOlder(true);
    try {
      const page = await load(next);
      setMore((items) => [...items, ...page.items]);
      setNext(page.next_before);
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.isUnauthorized)) setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setLoadingOlder(false);
    }
  }

  return { first, reload, items: (page) => [...page.items, ...more], hasOlder: next !== null, loadingOlder, error, loadOlder };
}

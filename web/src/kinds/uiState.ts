/**
 * Small shared UI state between two parts of one widget drawn in different places (the
 * span text in the data column and the spans question card). Not annotation data: it is
 * never saved and never undone.
 */
import { useSyncExternalStore } from "react";

export class UiState<T> {
  private listeners = new Set<() => void>();
  constructor(private value: T) {}
  get = (): T => this.value;
  set = (next: T | ((previous: T) => T)): void => {
    const value = typeof next === "function" ? (next as (previous: T) => T)(this.value) : next;
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const listener of this.listeners) listener();
  };
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export function useUiState<T>(state: UiState<T>): T {
  return useSyncExternalStore(state.subscribe, state.get);
}

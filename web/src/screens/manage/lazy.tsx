/**
 * The managers' screens, loaded on first use: annotators (most people, most of the time)
 * never download the interface editor and its YAML parser.
 */
import { lazy, Suspense, type ComponentProps, type ComponentType } from "react";

function later<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() }));
  return function LazyScreen(props: P) {
    return (
      <Suspense fallback={<p className="boot muted">Loading…</p>}>
        <Lazy {...(props as ComponentProps<typeof Lazy>)} />
      </Suspense>
    );
  };
}

export const NewProjectScreen = later(() => import("./NewProjectScreen").then((m) => m.NewProjectScreen));
export const SettingsScreen = later(() => import("./SettingsScreen").then((m) => m.SettingsScreen));
export const MembersScreen = later(() => import("./MembersScreen").then((m) => m.MembersScreen));
export const ImportScreen = later(() => import("./ImportScreen").then((m) => m.ImportScreen));
export const ExportScreen = later(() => import("./ExportScreen").then((m) => m.ExportScreen));
export const DataScreen = later(() => import("./data/DataScreen").then((m) => m.DataScreen));
export const TaskScreen = later(() => import("./TaskScreen").then((m) => m.TaskScreen));

/**
 * The managers' screens, loaded on first use: annotators (most people, most of the time)
 * never download the interface editor and its YAML parser. Not React.lazy: a Suspense
 * fallback holds the page back for at least 300 ms in React 19, which the data manager's
 * first page cannot afford.
 */
import { useEffect, useState, type ComponentType } from "react";
import { Notice } from "../../ui/Notice";

function later<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const get = (): Promise<ComponentType<P>> =>
    (loading ??= load().then((screen) => (loaded = screen)));
  return function LaterScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (Screen) return;
      let live = true;
      get().then(
        (screen) => live && setScreen(() => screen),
        (error: unknown) => {
          loading = null;
          if (live) setFailed(error instanceof Error ? error.message : String(error));
        },
      );
      return () => {
        live = false;
      };
    }, [Screen]);
    if (failed) return <Notice tone="error">This page could not be loaded ({failed}). Reload the page to try again.</Notice>;
    return Screen ? <Screen {...props} /> : <p className="boot muted">Loading…</p>;
  };
}

export const NewProjectScreen = later(() => import("./NewProjectScreen").then((m) => m.NewProjectScreen));
export const SettingsScreen = later(() => import("./SettingsScreen").then((m) => m.SettingsScreen));
export const MembersScreen = later(() => import("./MembersScreen").then((m) => m.MembersScreen));
export const ImportScreen = later(() => import("./ImportScreen").then((m) => m.ImportScreen));
export const ExportScreen = later(() => import("./ExportScreen").then((m) => m.ExportScreen));
export const JobsScreen = later(() => import("./jobs/JobsScreen").then((m) => m.JobsScreen));
export const DataScreen = later(() => import("./data/DataScreen").then((m) => m.DataScreen));
export const TaskScreen = later(() => import("./TaskScreen").then((m) => m.TaskScreen));
export const AccountsScreen = later(() => import("../admin/AccountsScreen").then((m) => m.AccountsScreen));
export const ReviewsScreen = later(() => import("./ReviewsScreen").then((m) => m.ReviewsScreen));
export const AnnotationScreen = later(() => import("./AnnotationScreen").then((m) => m.AnnotationScreen));
export const GoldScreen = later(() => import("./GoldScreen").then((m) => m.GoldScreen));
export const DashboardScreen = later(() => import("../dashboard/DashboardScreen").then((m) => m.DashboardScreen));
export const FlagsScreen = later(() => import("../flags/FlagsScreen").then((m) => m.FlagsScreen));

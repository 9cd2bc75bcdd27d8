/**
 * Every page of the app, by path. The first match wins. Screens get the path's parameters.
 * Managers' screens live in `screens/manage/` and are listed here too.
 */
import type { ReactNode } from "react";
import type { Params } from "./router";
import { ProjectsScreen } from "../screens/ProjectsScreen";
import { AnnotateScreen } from "../screens/annotate/AnnotateScreen";
import { MyWorkScreen } from "../screens/MyWorkScreen";
import { ReopenScreen } from "../screens/ReopenScreen";

export interface RouteDef {
  path: string;
  render: (params: Params) => ReactNode;
}

const id = (params: Params, key: string): number => Number(params[key]);

export const routes: RouteDef[] = [
  { path: "/", render: () => <ProjectsScreen /> },
  { path: "/projects/:id/annotate", render: (p) => <AnnotateScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/mine", render: (p) => <MyWorkScreen key={p.id} projectId={id(p, "id")} /> },
  {
    path: "/projects/:id/mine/:annotation",
    render: (p) => <ReopenScreen key={p.annotation} projectId={id(p, "id")} annotationId={id(p, "annotation")} />,
  },
];

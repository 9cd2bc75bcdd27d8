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
import { ReviewScreen } from "../screens/review/ReviewScreen";
import { AdjudicateScreen } from "../screens/adjudicate/AdjudicateScreen";
import { GuidelinesScreen } from "../screens/guidelines/GuidelinesScreen";
import { QuestionsScreen } from "../screens/flags/QuestionsScreen";
import { MyProblemReportsScreen, ProblemReportsScreen } from "../problemReports/ProblemReportsScreen";
import {
  AccountsScreen,
  AnnotationScreen,
  DashboardScreen,
  DataScreen,
  ExportScreen,
  FlagsScreen,
  GoldScreen,
  ImportScreen,
  JobsScreen,
  MembersScreen,
  NewProjectScreen,
  ReviewsScreen,
  SettingsScreen,
  TaskScreen,
} from "../screens/manage/lazy";

export interface RouteDef {
  path: string;
  render: (params: Params) => ReactNode;
}

const id = (params: Params, key: string): number => Number(params[key]);

export const routes: RouteDef[] = [
  { path: "/", render: () => <ProjectsScreen /> },
  { path: "/projects/new", render: () => <NewProjectScreen /> },
  { path: "/admin/users", render: () => <AccountsScreen /> },
  { path: "/admin/problem-reports", render: () => <ProblemReportsScreen /> },
  { path: "/problem-reports", render: () => <MyProblemReportsScreen /> },
  { path: "/projects/:id/settings", render: (p) => <SettingsScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/members", render: (p) => <MembersScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/import", render: (p) => <ImportScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/export", render: (p) => <ExportScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/jobs", render: (p) => <JobsScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/dashboard", render: (p) => <DashboardScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/reviews", render: (p) => <ReviewsScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/gold", render: (p) => <GoldScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/flags", render: (p) => <FlagsScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/questions", render: (p) => <QuestionsScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/data", render: (p) => <DataScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/tasks/:task", render: (p) => <TaskScreen key={p.task} projectId={id(p, "id")} taskId={id(p, "task")} /> },
  {
    path: "/projects/:id/annotations/:annotation",
    render: (p) => <AnnotationScreen key={p.annotation} projectId={id(p, "id")} annotationId={id(p, "annotation")} />,
  },
  { path: "/projects/:id/guidelines", render: (p) => <GuidelinesScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/annotate", render: (p) => <AnnotateScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/review", render: (p) => <ReviewScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/adjudicate", render: (p) => <AdjudicateScreen key={p.id} projectId={id(p, "id")} /> },
  { path: "/projects/:id/mine", render: (p) => <MyWorkScreen key={p.id} projectId={id(p, "id")} /> },
  {
    path: "/projects/:id/mine/:annotation",
    render: (p) => <ReopenScreen key={p.annotation} projectId={id(p, "id")} annotationId={id(p, "annotation")} />,
  },
];

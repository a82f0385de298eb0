import type { ReactNode } from "react";
import { LogDetailPage } from "./pages/LogDetailPage";
import { LogsPage } from "./pages/LogsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OverviewPage } from "./pages/OverviewPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { ReviewPage } from "./pages/ReviewPage";
import { RulesPage } from "./pages/RulesPage";
import { SessionPage } from "./pages/SessionPage";
import { SessionsPage } from "./pages/SessionsPage";
import { SettingsPage } from "./pages/SettingsPage";
import { matchPath, Redirect, useLocation } from "./router";

type Params = Record<string, string>;

const ROUTES: [pattern: string, render: (params: Params) => ReactNode][] = [
  ["/", () => <OverviewPage />],
  ["/logs", () => <LogsPage />],
  ["/logs/:id", (params) => <LogDetailPage key={params.id} id={params.id ?? ""} />],
  ["/sessions", () => <SessionsPage />],
  [
    "/sessions/:projectId/:sessionId",
    (params) => (
      <SessionPage key={`${params.projectId}/${params.sessionId}`} projectId={params.projectId ?? ""} sessionId={params.sessionId ?? ""} />
    ),
  ],
  ["/review", () => <ReviewPage />],
  ["/rules", () => <RulesPage />],
  ["/projects", () => <ProjectsPage />],
  ["/settings", () => <Redirect to="/settings/integrations" />],
  ["/settings/:tab", (params) => <SettingsPage tab={params.tab ?? ""} />],
];

/** The signed-in pages, chosen by the current path. */
export function Routes() {
  const { pathname } = useLocation();
  for (const [pattern, render] of ROUTES) {
    const params = matchPath(pattern, pathname);
    if (params) return <>{render(params)}</>;
  }
  return <NotFoundPage />;
}

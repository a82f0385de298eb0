import type { RouteDef } from "../http/route";
import { hookRoutes } from "./hooks";
import { logRoutes } from "./logs";
import { mediaRoutes } from "./media";
import { langsmithRoutes } from "./langsmith";
import { otlpRoutes } from "./otlp";
import { projectRoutes } from "./projects";
import { ruleRoutes } from "./rules";
import { sessionRoutes } from "./sessions";
import { settingsRoutes } from "./settings";
import { traceSearchRoutes } from "./trace-search";
import { traceRoutes } from "./traces";
import { utilityRoutes } from "./utilities";

/** Every public route. Order matters where paths overlap (`/api/logs/tasks` before `/api/logs/:id`, `/api/rules/evaluate` before `/api/rules/:id`). */
export const routes: RouteDef[] = [
  ...utilityRoutes,
  ...logRoutes,
  ...projectRoutes,
  ...ruleRoutes,
  ...settingsRoutes,
  ...hookRoutes,
  ...mediaRoutes,
  ...traceRoutes,
  ...sessionRoutes,
  ...traceSearchRoutes,
  ...otlpRoutes,
  ...langsmithRoutes,
];

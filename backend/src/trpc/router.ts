import { router } from "./init";
import { authRouter } from "./routers/auth";
import { evaluationsRouter } from "./routers/evaluations";
import { deliveriesRouter, hooksRouter } from "./routers/hooks";
import { logsRouter } from "./routers/logs";
import { membersRouter } from "./routers/members";
import { projectsRouter } from "./routers/projects";
import { rulesRouter } from "./routers/rules";
import { sessionsRouter } from "./routers/sessions";
import { analyticsRouter, settingsRouter } from "./routers/settings";
import { tracesRouter } from "./routers/traces";

/** The dashboard's procedures at /trpc. Each calls the same services as the REST routes. */
export const appRouter = router({
  auth: authRouter,
  members: membersRouter,
  logs: logsRouter,
  traces: tracesRouter,
  sessions: sessionsRouter,
  evaluations: evaluationsRouter,
  projects: projectsRouter,
  rules: rulesRouter,
  hooks: hooksRouter,
  deliveries: deliveriesRouter,
  settings: settingsRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;

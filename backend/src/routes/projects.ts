import {
  CreateProjectBody,
  CreateTaskBody,
  DeleteTaskQuery,
  ListProjectsQuery,
  IdParams,
  Project,
  SuccessResponse,
  Task,
  UpdateProjectBody,
} from "@tracira/shared";
import { z } from "zod";
import { defineRoute } from "../http/route";

export const projectRoutes = [
  defineRoute({
    method: "get",
    path: "/api/projects",
    tag: "Projects",
    summary: "List projects (all, or one page with ?limit=&page=; the total is in X-Total-Count)",
    auth: "token",
    query: ListProjectsQuery,
    response: z.array(Project),
    handler: async ({ auth, query, deps, res }) => {
      const { projects, total } = await deps.services.projects.list(auth.workspaceId, query);
      res.set("X-Total-Count", String(total));
      return projects;
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/projects",
    tag: "Projects",
    summary: "Create a project",
    auth: "token",
    status: 201,
    body: CreateProjectBody,
    response: Project,
    handler: ({ auth, body, deps }) => deps.services.projects.create(auth.workspaceId, body.name, body.icon),
  }),
  defineRoute({
    method: "patch",
    path: "/api/projects/:id",
    tag: "Projects",
    summary: "Rename, merge, or change icon for a project",
    auth: "token",
    params: IdParams,
    body: UpdateProjectBody,
    response: Project,
    handler: ({ auth, params, body, deps }) => deps.services.projects.update(auth.workspaceId, params.id, body),
  }),
  defineRoute({
    method: "delete",
    path: "/api/projects/:id",
    tag: "Projects",
    summary: "Delete a project and its logs, rules, and tasks",
    auth: "token",
    params: IdParams,
    response: SuccessResponse,
    handler: async ({ auth, params, deps }) => {
      await deps.services.projects.delete(auth.workspaceId, params.id);
      return { success: true as const };
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/projects/:id/tasks",
    tag: "Projects",
    summary: "List tasks for a project",
    auth: "token",
    params: IdParams,
    response: z.array(Task),
    handler: ({ auth, params, deps }) => deps.services.projects.listTasks(auth.workspaceId, params.id),
  }),
  defineRoute({
    method: "post",
    path: "/api/projects/:id/tasks",
    tag: "Projects",
    summary: "Create a task inside a project",
    auth: "token",
    status: 201,
    params: IdParams,
    body: CreateTaskBody,
    response: Task,
    handler: ({ auth, params, body, deps }) => deps.services.projects.createTask(auth.workspaceId, params.id, body.name),
  }),
  defineRoute({
    method: "delete",
    path: "/api/projects/:id/tasks",
    tag: "Projects",
    summary: "Delete a task (and the project's logs with that task name)",
    auth: "token",
    params: IdParams,
    query: DeleteTaskQuery,
    response: SuccessResponse,
    handler: async ({ auth, params, query, deps }) => {
      await deps.services.projects.deleteTask(auth.workspaceId, params.id, query.taskName);
      return { success: true as const };
    },
  }),
];

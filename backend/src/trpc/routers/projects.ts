import { CreateProjectBody, CreateTaskBody, DeleteTaskQuery, IdParams, UpdateProjectBody } from "@tracira/shared";
import { z } from "zod";
import { adminProcedure, memberProcedure, router } from "../init";

const ProjectRef = z.object({ projectId: IdParams.shape.id });

export const projectsRouter = router({
  list: memberProcedure.query(async ({ ctx }) => (await ctx.deps.services.projects.list(ctx.auth.workspaceId)).projects),
  create: memberProcedure
    .input(CreateProjectBody)
    .mutation(({ ctx, input }) => ctx.deps.services.projects.create(ctx.auth.workspaceId, input.name, input.icon)),
  update: memberProcedure
    .input(IdParams.and(UpdateProjectBody))
    .mutation(({ ctx, input: { id, ...change } }) => ctx.deps.services.projects.update(ctx.auth.workspaceId, id, change)),
  delete: adminProcedure.input(IdParams).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.projects.delete(ctx.auth.workspaceId, input.id);
    return { success: true as const };
  }),
  tasks: memberProcedure
    .input(ProjectRef)
    .query(({ ctx, input }) => ctx.deps.services.projects.listTasks(ctx.auth.workspaceId, input.projectId)),
  createTask: memberProcedure
    .input(ProjectRef.and(CreateTaskBody))
    .mutation(({ ctx, input }) => ctx.deps.services.projects.createTask(ctx.auth.workspaceId, input.projectId, input.name)),
  deleteTask: memberProcedure.input(ProjectRef.and(DeleteTaskQuery)).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.projects.deleteTask(ctx.auth.workspaceId, input.projectId, input.taskName);
    return { success: true as const };
  }),
});

import type { Project, Task } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { ApiError } from "../lib/api-error";
import type { AttachmentService } from "./attachments";
import { isUniqueViolation } from "../db/prisma-errors";
import { assertUnderCap } from "../lib/caps";

interface ProjectRow {
  id: string;
  name: string;
  icon: string | null;
  createdAt: Date;
  _count: { logs: number };
}

const toProject = (p: ProjectRow): Project => ({
  id: p.id,
  name: p.name,
  icon: p.icon,
  createdAt: p.createdAt.toISOString(),
  executionCount: p._count.logs,
});

const withCount = { id: true, name: true, icon: true, createdAt: true, _count: { select: { logs: true } } } as const;

/** Projects and their tasks. Every call is scoped to one workspace; others' ids are "not found". */
export class ProjectService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly attachments: AttachmentService,
    private readonly maxProjects: number = Number.POSITIVE_INFINITY,
  ) {}

  /** By name; one page of `limit` when asked (the total is for the X-Total-Count header). */
  async list(workspaceId: string, page?: { limit?: number | undefined; page: number }): Promise<{ projects: Project[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.prisma.project.findMany({
        where: { workspaceId },
        select: withCount,
        orderBy: [{ name: "asc" }, { id: "asc" }],
        ...(page?.limit ? { take: page.limit, skip: (page.page - 1) * page.limit } : {}),
      }),
      this.prisma.project.count({ where: { workspaceId } }),
    ]);
    return { projects: rows.map(toProject), total };
  }

  async create(workspaceId: string, name: string, icon?: string): Promise<Project> {
    assertUnderCap(
      await this.prisma.project.count({ where: { workspaceId } }),
      this.maxProjects,
      "projects",
      "TRACIRA_MAX_PROJECTS_PER_WORKSPACE",
      "delete or merge projects you no longer use",
    );
    try {
      return toProject(await this.prisma.project.create({ data: { workspaceId, name, icon: icon ?? null }, select: withCount }));
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.conflict(`A project named "${name}" already exists.`, { name: "already taken" });
      throw err;
    }
  }

  private async own(workspaceId: string, id: string) {
    const project = isUuid(id) ? await this.prisma.project.findFirst({ where: { id, workspaceId } }) : null;
    if (!project) throw ApiError.notFound("Project");
    return project;
  }

  /**
   * Renames and/or changes the icon. Renaming onto another project's name needs `merge`: its logs,
   * tasks and rules then move to that project and this one is deleted.
   */
  async update(
    workspaceId: string,
    id: string,
    change: { name?: string | undefined; icon?: string | null | undefined; merge?: boolean | undefined },
  ): Promise<Project> {
    const project = await this.own(workspaceId, id);
    const target =
      change.name !== undefined && change.name !== project.name
        ? await this.prisma.project.findUnique({ where: { workspaceId_name: { workspaceId, name: change.name } } })
        : null;
    if (target && !change.merge) {
      throw ApiError.conflict(
        `A project named "${change.name}" already exists. Send merge: true to move this project's logs, tasks and rules into it.`,
        { name: "already taken; send merge: true to merge" },
      );
    }
    if (target) {
      await this.merge(workspaceId, project.id, target.id);
      if (change.icon !== undefined) await this.prisma.project.update({ where: { id: target.id }, data: { icon: change.icon } });
      return toProject(await this.prisma.project.findUniqueOrThrow({ where: { id: target.id }, select: withCount }));
    }
    try {
      return toProject(
        await this.prisma.project.update({
          where: { id: project.id },
          data: { ...(change.name !== undefined && { name: change.name }), ...(change.icon !== undefined && { icon: change.icon }) },
          select: withCount,
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw ApiError.conflict(`A project named "${change.name}" already exists.`, { name: "already taken" });
      throw err;
    }
  }

  private async merge(workspaceId: string, sourceId: string, targetId: string) {
    await this.prisma.$transaction(async (tx) => {
      const targetTasks = new Set((await tx.task.findMany({ where: { projectId: targetId }, select: { name: true } })).map((t) => t.name));
      await tx.task.deleteMany({ where: { projectId: sourceId, name: { in: [...targetTasks] } } });
      await tx.task.updateMany({ where: { projectId: sourceId }, data: { projectId: targetId } });
      await tx.log.updateMany({ where: { workspaceId, projectId: sourceId }, data: { projectId: targetId } });
      await tx.rule.updateMany({ where: { workspaceId, projectId: sourceId }, data: { projectId: targetId } });
      await tx.project.delete({ where: { id: sourceId } });
    });
  }

  /** Deletes the project with its logs, rules and tasks (by cascade). */
  async delete(workspaceId: string, id: string): Promise<void> {
    const project = await this.own(workspaceId, id);
    const files = await this.attachments.filesOf(this.prisma, { workspaceId, projectId: project.id });
    await this.prisma.project.delete({ where: { id: project.id } });
    await this.attachments.remove(files);
  }

  async listTasks(workspaceId: string, projectId: string): Promise<Task[]> {
    const project = await this.own(workspaceId, projectId);
    const [tasks, counts] = await Promise.all([
      this.prisma.task.findMany({ where: { projectId: project.id }, orderBy: { name: "asc" } }),
      this.prisma.log.groupBy({
        by: ["taskName"],
        where: { workspaceId, projectId: project.id, taskName: { not: null } },
        _count: { _all: true },
      }),
    ]);
    const countByName = new Map(counts.map((c) => [c.taskName, c._count._all]));
    return tasks.map((t) => ({
      id: t.id,
      name: t.name,
      projectId: t.projectId,
      createdAt: t.createdAt.toISOString(),
      executionCount: countByName.get(t.name) ?? 0,
    }));
  }

  async createTask(workspaceId: string, projectId: string, name: string): Promise<Task> {
    const project = await this.own(workspaceId, projectId);
    try {
      const task = await this.prisma.task.create({ data: { workspaceId, projectId: project.id, name } });
      const executionCount = await this.prisma.log.count({ where: { workspaceId, projectId: project.id, taskName: name } });
      return { id: task.id, name: task.name, projectId: task.projectId, createdAt: task.createdAt.toISOString(), executionCount };
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw ApiError.conflict(`The project already has a task named "${name}".`, { name: "already taken" });
      }
      throw err;
    }
  }

  /** Deletes the task and every log of this project with that task name. */
  async deleteTask(workspaceId: string, projectId: string, taskName: string): Promise<void> {
    const project = await this.own(workspaceId, projectId);
    const logsOfTask = { workspaceId, projectId: project.id, taskName };
    const files = await this.attachments.filesOf(this.prisma, logsOfTask);
    const [deletedTasks, deletedLogs] = await this.prisma.$transaction([
      this.prisma.task.deleteMany({ where: { projectId: project.id, name: taskName } }),
      this.prisma.log.deleteMany({ where: logsOfTask }),
    ]);
    await this.attachments.remove(files);
    if (deletedTasks.count === 0 && deletedLogs.count === 0) throw ApiError.notFound(`Task "${taskName}"`);
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

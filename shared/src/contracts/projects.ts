import { z } from "zod";
import { LIMITS } from "../limits";
import { looseBoolean, optionalText, requiredText } from "./fields";

export const Project = z
  .object({
    id: z.string(),
    name: z.string(),
    icon: z.string().nullable(),
    createdAt: z.string(),
    executionCount: z.number().int(),
  })
  .meta({ id: "Project" });
export type Project = z.infer<typeof Project>;

/** Optional paging of GET /api/projects (without it, every project: at most the deployment's project cap). */
export const ListProjectsQuery = z.object({
  limit: z.coerce
    .number({ error: () => "limit must be a number from 1 to 1000" })
    .int()
    .min(1, { error: "limit must be at least 1" })
    .max(1000, { error: "limit must be at most 1000" })
    .optional(),
  page: z.coerce
    .number({ error: () => "page must be a number, 1 or more" })
    .int()
    .min(1, { error: "page must be 1 or more" })
    .default(1),
});
export type ListProjectsQuery = z.infer<typeof ListProjectsQuery>;

export const CreateProjectBody = z.object({
  name: requiredText("name", LIMITS.projectNameChars, "support-replies"),
  icon: optionalText("icon", 64),
});

export const UpdateProjectBody = z
  .object({
    name: requiredText("name", LIMITS.projectNameChars, "support-replies").optional(),
    icon: z.string().max(64, { error: "icon must be at most 64 characters" }).nullable().optional(),
    merge: looseBoolean("merge"),
  })
  .refine((b) => b.name !== undefined || b.icon !== undefined, {
    error: "send name and/or icon to change",
    path: ["name"],
  });

export const Task = z
  .object({
    id: z.string(),
    name: z.string(),
    projectId: z.string(),
    createdAt: z.string(),
    executionCount: z.number().int(),
  })
  .meta({ id: "Task" });
export type Task = z.infer<typeof Task>;

export const CreateTaskBody = z.object({
  name: requiredText("name", LIMITS.taskNameChars, "Tone Validator"),
});

export const DeleteTaskQuery = z.object({
  taskName: requiredText("taskName", LIMITS.taskNameChars, "Tone Validator"),
});

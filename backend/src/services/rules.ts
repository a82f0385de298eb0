import {
  spanFieldNeedsSpans,
  type CreateRuleInput,
  type Rule,
  type RuleTarget,
  type RuleType,
  type SpanKind,
  type UpdateRuleInput,
} from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { parseRuleValue } from "../evaluation/rule-values";
import { ruleScope, toDefinition } from "../evaluation/scope";
import type { RuleDefinition } from "../evaluation/types";
import type { Prisma } from "../generated/prisma/client";
import { ApiError } from "../lib/api-error";
import { assertUnderCap } from "../lib/caps";
import { isUuid } from "./projects";

const withProject = { project: { select: { name: true } } } as const;
type RuleRow = Prisma.RuleGetPayload<{ include: typeof withProject }>;

const toRule = (r: RuleRow): Rule => ({
  id: r.id,
  name: r.name,
  type: r.type,
  description: r.description,
  value: r.value,
  isActive: r.isActive,
  scope: ruleScope(r),
  projectId: r.projectId,
  projectName: r.project?.name ?? null,
  taskName: r.taskName,
  llmJudgeProvider: r.llmJudgeProvider,
  llmJudgeModel: r.llmJudgeModel,
  target: r.target,
  // Stored only through the contract, which takes a span kind only.
  spanKind: r.spanKind as SpanKind | null,
  spanName: r.spanName,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** Refuses a value its type cannot use, with the format expected. */
export function assertValidValue(type: RuleType, value: string, field = "value"): void {
  const parsed = parseRuleValue(type, value);
  if (!parsed.ok) throw ApiError.invalid(`Invalid value for a ${type} rule: ${parsed.error}.`, { [field]: parsed.error });
}

/** Spans carry no confidence of their own, so a confidence threshold checks the log's only. */
export function assertTargetFits(type: RuleType, target: RuleTarget, field = "target"): void {
  if (type === "confidence_threshold" && target === "spans") {
    throw ApiError.invalid(`A confidence_threshold rule checks the log's confidence, which spans do not have; use target "output".`, {
      [field]: 'confidence_threshold rules check the output: target must be "output"',
    });
  }
}

/** Workspace rules. Every call is scoped to one workspace; another workspace's rule is "not found". */
export class RuleService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly maxRules: number = Number.POSITIVE_INFINITY,
  ) {}

  async list(workspaceId: string): Promise<Rule[]> {
    const rows = await this.prisma.rule.findMany({
      where: { workspaceId },
      include: withProject,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(toRule);
  }

  async get(workspaceId: string, id: string): Promise<Rule> {
    return toRule(await this.own(workspaceId, id));
  }

  /** The stored rule as the engine reads it (for testing a saved rule). */
  async definition(workspaceId: string, id: string): Promise<RuleDefinition> {
    return toDefinition(await this.own(workspaceId, id));
  }

  async create(workspaceId: string, input: CreateRuleInput): Promise<Rule> {
    assertValidValue(input.type, input.value);
    const target = input.target ?? "output";
    assertTargetFits(input.type, target);
    assertUnderCap(
      await this.prisma.rule.count({ where: { workspaceId } }),
      this.maxRules,
      "rules",
      "TRACIRA_MAX_RULES_PER_WORKSPACE",
      "delete rules you no longer use, or merge them",
    );
    const projectId = await this.resolveProject(workspaceId, input.projectId, input.projectName);
    const row = await this.prisma.rule.create({
      data: {
        workspaceId,
        name: input.name,
        type: input.type,
        value: input.value,
        description: input.description ?? null,
        isActive: input.isActive ?? true,
        projectId: projectId ?? null,
        taskName: input.taskName?.trim() || null,
        llmJudgeProvider: input.llmJudgeProvider ?? null,
        llmJudgeModel: input.llmJudgeModel?.trim() || null,
        target,
        spanKind: input.spanKind ?? null,
        spanName: input.spanName?.trim() || null,
      },
      include: withProject,
    });
    return toRule(row);
  }

  async update(workspaceId: string, id: string, change: UpdateRuleInput): Promise<void> {
    const rule = await this.own(workspaceId, id);
    // The type and value are checked together: changing either must leave a rule that can run.
    if (change.type !== undefined || change.value !== undefined) assertValidValue(change.type ?? rule.type, change.value ?? rule.value);
    const target = change.target === undefined ? rule.target : (change.target ?? "output");
    if (change.type !== undefined || change.target !== undefined) assertTargetFits(change.type ?? rule.type, target);
    // A target sent with the span fields is checked by the contract; here, the stored one.
    for (const field of ["spanKind", "spanName"] as const) {
      if (target === "output" && change[field] != null)
        throw ApiError.invalid(`${spanFieldNeedsSpans(field)}.`, { [field]: spanFieldNeedsSpans(field) });
    }
    // An output rule keeps no span fields (they would come back unnoticed if it became a span rule again).
    const spanFields =
      target === "output"
        ? { spanKind: null, spanName: null }
        : {
            ...(change.spanKind !== undefined && { spanKind: change.spanKind }),
            ...(change.spanName !== undefined && { spanName: change.spanName?.trim() || null }),
          };
    const scopeChanged = change.projectId !== undefined || change.projectName !== undefined;
    const projectId = scopeChanged
      ? change.projectId === null || change.projectName === null
        ? null
        : ((await this.resolveProject(workspaceId, change.projectId, change.projectName)) ?? null)
      : undefined;
    await this.prisma.rule.update({
      where: { id: rule.id },
      data: {
        ...(change.name !== undefined && { name: change.name }),
        ...(change.type !== undefined && { type: change.type }),
        ...(change.value !== undefined && { value: change.value }),
        ...(change.description !== undefined && { description: change.description }),
        ...(change.isActive !== undefined && { isActive: change.isActive }),
        ...(projectId !== undefined && { projectId }),
        ...(change.taskName !== undefined && { taskName: change.taskName?.trim() || null }),
        ...(change.llmJudgeProvider !== undefined && { llmJudgeProvider: change.llmJudgeProvider }),
        ...(change.llmJudgeModel !== undefined && { llmJudgeModel: change.llmJudgeModel?.trim() || null }),
        ...(change.target !== undefined && { target }),
        ...spanFields,
      },
    });
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const rule = await this.own(workspaceId, id);
    await this.prisma.rule.delete({ where: { id: rule.id } });
  }

  private async own(workspaceId: string, id: string): Promise<RuleRow> {
    const rule = isUuid(id) ? await this.prisma.rule.findFirst({ where: { id, workspaceId }, include: withProject }) : null;
    if (!rule) throw ApiError.notFound("Rule");
    return rule;
  }

  /**
   * A project id must name one of this workspace's projects; a project name is created when new, as
   * logs do. Both given must agree.
   */
  private async resolveProject(workspaceId: string, projectId?: string | null, projectName?: string | null): Promise<string | undefined> {
    const name = projectName?.trim();
    if (projectId) {
      const project = isUuid(projectId) ? await this.prisma.project.findFirst({ where: { id: projectId, workspaceId } }) : null;
      if (!project) throw ApiError.invalid("projectId does not name a project in this workspace.", { projectId: "no such project" });
      if (name && name !== project.name) {
        throw ApiError.invalid(`projectId and projectName disagree ("${project.name}" vs "${name}"); send one of them.`, {
          projectName: "does not match projectId",
        });
      }
      return project.id;
    }
    if (!name) return undefined;
    const project = await this.prisma.project.upsert({
      where: { workspaceId_name: { workspaceId, name } },
      create: { workspaceId, name },
      update: {},
    });
    return project.id;
  }
}

import type { LogAttachment, LogDetail, LogListItem, StoredAttachment } from "@tracira/shared";
import type { Prisma } from "../../generated/prisma/client";
import { mediaPath } from "../../media/media-keys";

export const logWithProject = { project: { select: { name: true } } } as const;
export type LogRow = Prisma.LogGetPayload<{ include: typeof logWithProject }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

export function toListItem(row: LogRow, sessionTurnCount: number): LogListItem {
  return {
    id: row.id,
    timestamp: row.timestamp.toISOString(),
    projectId: row.projectId,
    projectName: row.project.name,
    taskName: row.taskName,
    sessionId: row.sessionId,
    subjectId: row.subjectId,
    actorId: row.actorId,
    model: row.model,
    status: row.status,
    latencyMs: row.latencyMs,
    costUsd: row.costUsd,
    verdict: row.verdict === "pending" ? null : row.verdict,
    confidenceScore: row.confidenceScore,
    humanDecision: row.humanDecision,
    decidedAt: iso(row.decidedAt),
    decidedBy: row.decidedBy,
    decisionSource: row.decisionSource,
    callbackUrl: row.callbackUrl,
    metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    tags: row.tags,
    input: (row.input as LogListItem["input"]) ?? null,
    output: row.output,
    explanation: row.explanation,
    sessionTurnCount,
  };
}

export function toDetail(row: LogRow, sessionTurnCount: number): LogDetail {
  return {
    ...toListItem(row, sessionTurnCount),
    workspaceId: row.workspaceId,
    userId: row.userId,
    inputText: row.inputText,
    confidence: row.confidence,
    callbackEvents: row.callbackEvents,
    attachments: toLogAttachments(row.attachments),
    appliedRules: asArray(row.appliedRules),
    evaluatedAt: iso(row.evaluatedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Stored attachments as the API and events show them, each with the media URL that redirects to a signed link. */
export const toLogAttachments = (stored: unknown): LogAttachment[] =>
  asArray<StoredAttachment>(stored).map((attachment) => ({ ...attachment, url: mediaPath(attachment.key) }));

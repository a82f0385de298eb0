import type { MemberRole } from "@tracira/shared";
import type { Request } from "express";
import type { WorkspaceIdentity } from "../services/tokens";
import type { AppDeps } from "./deps";
import { ApiError } from "./errors";

export interface AuthContext {
  workspaceId: string;
  workspaceName: string;
  /** How the caller proved itself; `decidedBy` and audit fields use it. */
  via: "token";
  /** A token holder acts as the workspace's admin; members with other roles arrive with dashboard sessions. */
  role: MemberRole;
  /** The hash of the token used, so a change of token (rotation) can be checked again inside a transaction. */
  tokenHash: string;
}

/** Reads `Authorization: Bearer wh-…` (or a bare `wh-…`, or `x-api-key`), as builders paste it. */
export function readToken(req: Request): string | undefined {
  const header = req.headers.authorization?.trim();
  if (header) {
    const match = /^bearer\s+(.+)$/i.exec(header);
    return (match ? match[1] : header)?.trim();
  }
  const apiKey = req.headers["x-api-key"];
  return typeof apiKey === "string" ? apiKey.trim() : undefined;
}

export async function authenticate(req: Request, deps: AppDeps, required: boolean): Promise<AuthContext | undefined> {
  const token = readToken(req);
  if (!token) {
    if (!required) return undefined;
    throw new ApiError(
      "unauthorized",
      "Missing token: send the header Authorization: Bearer wh-… with your workspace token (Settings → Integrations).",
    );
  }
  if (!token.startsWith("wh-")) {
    throw new ApiError("unauthorized", "This is not a Tracira token: workspace tokens start with wh-.");
  }
  const identity: WorkspaceIdentity | undefined = await deps.services.tokens.lookup(token);
  if (!identity) {
    throw new ApiError(
      "unauthorized",
      "This token is not valid (it may have been rotated). Copy the current token from Settings → Integrations.",
    );
  }
  return { workspaceId: identity.id, workspaceName: identity.name, via: "token", role: "admin", tokenHash: identity.tokenHash };
}

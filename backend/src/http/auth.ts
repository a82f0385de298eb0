import type { MemberRole } from "@tracira/shared";
import type { Request } from "express";
import type { WorkspaceIdentity } from "../services/tokens";
import type { AppDeps } from "./deps";
import { assertAllowedHost } from "./host-check";
import { ApiError } from "../lib/api-error";
import { readCookie, SESSION_COOKIE } from "./session-cookie";

export interface AuthContext {
  workspaceId: string;
  workspaceName: string;
  /** How the caller proved itself: a workspace token, or a dashboard session cookie. */
  via: "token" | "session";
  /** A token holder acts as the workspace's admin; dashboard users have their membership's role. */
  role: MemberRole;
  /** With a token: its hash, so a change of token (rotation) can be checked again inside a transaction. */
  tokenHash?: string;
  /** With a session: who is logged in, and which session (to log out). */
  user?: { id: string; email: string; name: string | null };
  sessionHash?: string;
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

/** The dashboard's session, from its cookie; undefined without a cookie or when it expired or was ended. */
export async function authenticateSession(req: Request, deps: AppDeps): Promise<AuthContext | undefined> {
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return undefined;
  // A session cookie counts only under a Host this server answers as (DNS rebinding, see host-check.ts).
  assertAllowedHost(req, deps.config);
  const session = await deps.services.sessions.lookup(cookie);
  if (!session) return undefined;
  return {
    workspaceId: session.workspace.id,
    workspaceName: session.workspace.name,
    via: "session",
    role: session.role,
    user: session.user,
    sessionHash: session.sessionHash,
  };
}

/** `acceptSession`: without a token, the dashboard's session cookie is accepted too (GET routes only). */
export async function authenticate(
  req: Request,
  deps: AppDeps,
  required: boolean,
  acceptSession = false,
): Promise<AuthContext | undefined> {
  const token = readToken(req);
  if (!token) {
    const session = acceptSession ? await authenticateSession(req, deps) : undefined;
    if (session || !required) return session;
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

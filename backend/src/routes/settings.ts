import {
  OkResponse,
  RotateSigningSecretResponse,
  RotateTokenResponse,
  Settings,
  SigningSecretResponse,
  UpdateSettingsBody,
} from "@tracira/shared";
import { defineRoute } from "../http/route";

export const settingsRoutes = [
  defineRoute({
    method: "get",
    path: "/api/settings",
    tag: "Settings",
    summary: "Get workspace settings and usage (secrets masked)",
    auth: "token",
    response: Settings,
    handler: ({ auth, deps }) => deps.services.settings.get(auth.workspaceId, auth.role),
  }),
  defineRoute({
    method: "patch",
    path: "/api/settings",
    tag: "Settings",
    summary: "Update workspace settings",
    auth: "token",
    role: "admin",
    body: UpdateSettingsBody,
    response: OkResponse,
    handler: async ({ auth, body, deps }) => {
      await deps.services.settings.update(auth.workspaceId, body);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: "post",
    path: "/api/settings/rotate-token",
    tag: "Settings",
    summary: "Rotate the workspace webhook token (admin only, 5 per hour); the old token stops working at once",
    auth: "token",
    role: "admin",
    response: RotateTokenResponse,
    handler: ({ auth, deps }) => deps.services.tokenRotation.rotate(auth.workspaceId, auth.via, auth.tokenHash),
  }),
  defineRoute({
    method: "get",
    path: "/api/settings/signing-secret",
    tag: "Settings",
    summary: "The workspace signing secret that callbacks and the outbound webhook are signed with (admin only; hooks have their own)",
    auth: "token",
    role: "admin",
    response: SigningSecretResponse,
    handler: ({ auth, deps }) => deps.services.signingSecretRotation.current(auth.workspaceId),
  }),
  defineRoute({
    method: "post",
    path: "/api/settings/rotate-signing-secret",
    tag: "Settings",
    summary:
      "Rotate the workspace signing secret of callbacks and the outbound webhook (admin only); the previous one is sent as a second signature for TRACIRA_SIGNING_SECRET_OVERLAP_HOURS",
    auth: "token",
    role: "admin",
    response: RotateSigningSecretResponse,
    handler: ({ auth, deps }) => deps.services.signingSecretRotation.rotate(auth.workspaceId),
  }),
];

import { isIP } from "node:net";
import type { Request } from "express";
import type { Config } from "../config";
import { ApiError } from "../lib/api-error";

/** The name part of a Host header (`example.com:3000` → `example.com`, `[::1]:3000` → `::1`). */
function hostName(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith("[")) return trimmed.slice(1, trimmed.indexOf("]"));
  const colon = trimmed.lastIndexOf(":");
  return colon > 0 && trimmed.indexOf(":") === colon ? trimmed.slice(0, colon) : trimmed;
}

/**
 * Whether a cookie-authenticated request may be answered under this Host. A DNS-rebinding page makes the
 * browser send its own domain name as Host (and as Origin) to a local server; so besides PUBLIC_URL's host
 * and TRACIRA_ALLOWED_HOSTS, only names that cannot be rebound are accepted: IP addresses and localhost.
 */
export function isAllowedHost(host: string | undefined, config: Pick<Config, "publicUrl" | "allowedHosts">): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost")) return true;
  if (config.publicUrl && new URL(config.publicUrl).hostname.toLowerCase() === name) return true;
  return config.allowedHosts.includes(name);
}

/** Refuses a dashboard request under a Host this server does not answer as (see `isAllowedHost`). */
export function assertAllowedHost(req: Request, config: Pick<Config, "publicUrl" | "allowedHosts">): void {
  if (!isAllowedHost(req.headers.host, config)) {
    throw new ApiError(
      "forbidden",
      `This server does not answer the dashboard as ${req.headers.host ?? "(no Host)"}: set PUBLIC_URL to the address you open it at, or list the name in TRACIRA_ALLOWED_HOSTS.`,
    );
  }
}

import type { Request, Response } from "express";

/** The dashboard's session cookie: httpOnly (no script can read it), SameSite=Lax, Secure over https. */
export const SESSION_COOKIE = "tracira_session";

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** https as the browser saw it: the request itself, or the public URL the server is reached at. */
const isSecure = (req: Request, publicUrl: string | undefined) => req.secure || publicUrl?.startsWith("https:") === true;

export function setSessionCookie(res: Response, token: string, expiresAt: Date, publicUrl: string | undefined): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: isSecure(res.req, publicUrl),
    path: "/",
    expires: expiresAt,
  });
}

export function clearSessionCookie(res: Response, publicUrl: string | undefined): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", secure: isSecure(res.req, publicUrl), path: "/" });
}

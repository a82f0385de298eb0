import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { ApiError } from "../lib/api-error";
import { defineRoute } from "../http/route";
import { parseMediaKey } from "../media/media-keys";
import { SIGNED_MEDIA_PREFIX, type Disposition } from "../media/signed-url";

/** Express 5 hands a `*key` wildcard over as its decoded segments. */
const KeyParams = z.object({
  key: z
    .union([z.array(z.string()), z.string()])
    .transform((key) => (Array.isArray(key) ? key.join("/") : key))
    .meta({ description: "The full media key, e.g. `workspaceId/logId/0-file.pdf` (as `attachments[].key` gives it)" }),
});

const NOT_FOUND = "This attachment was not found in this workspace.";

export const mediaRoutes = [
  defineRoute({
    method: "get",
    path: "/api/media/*key",
    tag: "Media",
    summary: "Redirect to a short-lived signed link to a stored attachment",
    // Token (Authorization: Bearer, or x-api-key), or the dashboard's session cookie.
    auth: "token",
    session: true,
    params: KeyParams,
    query: z.object({
      download: z
        .enum(["1", "0", "true", "false"], { error: () => "download must be 1 (a download) or 0 (shown inline)" })
        .optional()
        .meta({ description: "`1` asks for `attachment` disposition (a download) instead of inline display" }),
    }),
    response: z.null().meta({ description: "No body: `Location` holds the signed link" }),
    status: 302,
    handler: async ({ auth, params, query, deps, res }) => {
      const parsed = parseMediaKey(params.key);
      // Another workspace's key is answered exactly like a missing one.
      if (!parsed || parsed.workspaceId !== auth.workspaceId.toLowerCase()) throw new ApiError("not_found", NOT_FOUND);
      const { attachments, mediaUrls } = deps.services;
      if (!(await attachments.isAttached(auth.workspaceId, parsed.logId, parsed.key))) throw new ApiError("not_found", NOT_FOUND);
      const file = await attachments.storage.open(parsed.key);
      if (!file) throw new ApiError("not_found", NOT_FOUND);
      file.stream.destroy();
      const disposition: Disposition = query.download === "1" || query.download === "true" ? "attachment" : "inline";
      res.set("Cache-Control", "no-store").redirect(302, mediaUrls.sign(parsed.key, disposition).url);
      return undefined;
    },
  }),
  defineRoute({
    method: "get",
    path: `${SIGNED_MEDIA_PREFIX}*key`,
    tag: "Media",
    summary: "A stored attachment, through a signed link from GET /api/media/{key} (the signature is the credential)",
    auth: "public",
    params: KeyParams,
    query: z.object({
      expires: z.string().optional().meta({ description: "Unix time (seconds) after which the link is refused" }),
      download: z.string().optional().meta({ description: "`1`: attachment disposition (part of what is signed)" }),
      signature: z.string().optional().meta({ description: "HMAC-SHA256 of the key, expiry and disposition (hex)" }),
    }),
    response: z.string().meta({ description: "The file's bytes, with its stored Content-Type" }),
    handler: async ({ params, query, deps, res }) => {
      const parsed = parseMediaKey(params.key);
      const disposition: Disposition | undefined =
        query.download === undefined ? "inline" : query.download === "1" ? "attachment" : undefined;
      const { mediaUrls, attachments } = deps.services;
      const check = parsed && disposition ? mediaUrls.verify(parsed.key, query.expires, disposition, query.signature) : "invalid";
      if (check === "expired") throw new ApiError("forbidden", "This link has expired; open the attachment again from the log.");
      if (check !== "valid" || !parsed || !disposition || query.expires === undefined) {
        throw new ApiError(
          "forbidden",
          "This link is not valid (it is incomplete or was changed); open the attachment again from the log.",
        );
      }
      const file = await attachments.storage.open(parsed.key);
      if (!file) throw new ApiError("not_found", "This attachment no longer exists.");
      res.status(200).set({
        "Content-Type": file.meta.contentType,
        "Content-Length": String(file.meta.size),
        "Content-Disposition": contentDisposition(disposition, file.meta.filename),
        "X-Content-Type-Options": "nosniff",
        // A stored HTML or SVG file must not run as a page of this origin.
        "Content-Security-Policy": "sandbox",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": `private, max-age=${mediaUrls.remainingSeconds(query.expires)}`,
      });
      // A client that goes away mid-download ends the stream; nothing to answer then.
      await pipeline(file.stream, res).catch(() => undefined);
      return undefined;
    },
  }),
];

/** `inline|attachment; filename="ascii"; filename*=UTF-8''…` (RFC 6266), safe for any stored name. */
export function contentDisposition(disposition: Disposition, filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

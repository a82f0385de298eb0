import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Request, type RequestHandler } from "express";

/**
 * Where the dashboard's build is: the dist/ folder of the @tracira/web workspace package (web/dist, which
 * its `vite build` writes), found through the package the backend depends on; without an installed link,
 * the repository's web/dist (the same from dist/http and, in tests, src/http).
 */
export const WEB_APP_DIR = webPackageDist();

function webPackageDist(): string {
  try {
    return path.join(path.dirname(require.resolve("@tracira/web/package.json")), "dist");
  } catch {
    return path.resolve(__dirname, "..", "..", "..", "web", "dist");
  }
}

const API_PATH = /^\/(api|trpc)(\/|$)/;
/** A last path segment with an extension (`/.env`, `/wp-login.php`) names a file, never a page. */
const FILE_PATH = /\.[^/]*$/;

/**
 * A page of the app: `/` always; other paths only when a browser navigates to them (it asks for HTML)
 * and they do not look like files. Everything else falls through to the JSON 404 API clients expect.
 */
const isAppPage = (req: Request) => req.path === "/" || (!FILE_PATH.test(req.path) && (req.headers.accept ?? "").includes("text/html"));

/**
 * Serves the dashboard: its hashed assets as files, and its pages as index.html (the app routes in the
 * browser). Without a build it explains how to make one.
 */
export function webApp(dir = WEB_APP_DIR): RequestHandler {
  const index = path.join(dir, "index.html");
  const assets = express.static(dir, { index: false, maxAge: "1y", immutable: true, fallthrough: true });
  return (req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || API_PATH.test(req.path)) return next();
    res.set({ "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin" });
    assets(req, res, () => {
      if (!isAppPage(req)) return next();
      if (!existsSync(index)) {
        res.status(503).type("text/plain").send("The dashboard is not built: run `npm run build` (or `npm start`, which builds it).");
        return;
      }
      res.set({
        "Cache-Control": "no-cache",
        "Content-Security-Policy":
          "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      });
      res.sendFile(index);
    });
  };
}

import path from "node:path";
import zapier from "zapier-platform-core";
import type { Backend } from "../../n8n-tests/helpers/backend";

export { startBackend, type Backend } from "../../n8n-tests/helpers/backend";

/** The built app as Zapier loads it: the package's `main` (index.js → dist/). */
export const APP_DIR = path.resolve(__dirname, "../../zapier");
export const App = require(APP_DIR) as any;
const tester = zapier.createAppTester(App);
/** appTester, answering `any` as the tests read whatever the operation returns. */
export const appTester = (method: unknown, bundle?: any): Promise<any> => tester(method as any, bundle);

/** A bundle authenticated against `backend`, with the given extra parts. */
export function bundleFor(backend: Backend, extra: Record<string, any> = {}): any {
  return { authData: { baseUrl: `${backend.url}/`, apiToken: backend.token }, inputData: {}, ...extra };
}

/** Polls `probe` until it answers something other than undefined. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

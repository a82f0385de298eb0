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

export { until } from "../../../backend/test/helpers/until";

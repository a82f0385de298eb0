import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * n8n-core keeps its instance settings (an encryption key file) in `N8N_USER_FOLDER`, else in the home
 * folder. Each test file gets a temporary one, set before any test module loads n8n-core.
 */
const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-n8n-"));
process.env.N8N_USER_FOLDER = userFolder;
// n8n's logger prints every node error with its stack; `N8N_LOG_LEVEL=debug` shows them when needed.
process.env.N8N_LOG_LEVEL ??= "silent";

afterAll(() => fs.rmSync(userFolder, { recursive: true, force: true }));

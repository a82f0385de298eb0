/**
 * What n8n's editor calls on the package: the Model dropdown (loadOptions `getModels`, real
 * LoadOptionsContext) and the credential test (the credential's `test` request, run as n8n's
 * CredentialsTester does), against the built backend.
 */
import { loadOptions, testCredential, type Types } from "./harness";
import { startBackend, type Backend } from "./helpers/backend";
import { NODE, traciraCredentials, traciraTypes } from "./helpers/tracira";

let types: Types;
let backend: Backend;

beforeAll(async () => {
  types = await traciraTypes();
  backend = await startBackend();
});
afterAll(() => backend?.close());

test("getModels returns exactly GET /api/models as { name, value }", async () => {
  const models = await backend.call("GET", "/api/models", undefined, { token: null });
  expect(models.status).toBe(200);
  expect(models.body.length).toBeGreaterThan(0);
  const options = await loadOptions({
    types,
    nodeType: NODE,
    method: "getModels",
    parameters: { resource: "log", operation: "create" },
    credentials: traciraCredentials(backend),
  });
  expect(options).toEqual(models.body.map((m: { label: string; value: string }) => ({ name: m.label, value: m.value })));
});

test("the credential test passes with the token", async () => {
  await expect(testCredential(types, "traciraApi", traciraCredentials(backend).traciraApi)).resolves.toEqual({
    status: "OK",
    message: "Connection successful!",
  });
});

test("the credential test fails with a wrong token, and with none", async () => {
  // n8n shows the answer's status text: the backend refused the token (401).
  const refused = { status: "Error", message: "Unauthorized" };
  await expect(testCredential(types, "traciraApi", traciraCredentials(backend, "wh-not-the-token").traciraApi)).resolves.toEqual(refused);
  await expect(testCredential(types, "traciraApi", traciraCredentials(backend, "").traciraApi)).resolves.toEqual(refused);
});

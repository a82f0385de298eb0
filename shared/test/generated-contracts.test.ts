import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { EventPayload } from "../src";
import { EVENT_FIELDS, type EventField } from "../src/portable/event-fields";
import { signatureHeaderValue, signatureProblem } from "../src/portable/signature";

/** scripts/generate-contracts.mjs: the integrations' checked-in copies against a fresh generation. */
const REPO = path.resolve(__dirname, "../..");
const run = promisify(execFile);

async function generate(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [path.join(REPO, "scripts/generate-contracts.mjs"), ...args]);
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

const GENERATED = {
  n8nContract: "integrations/n8n/nodes/generated/contract.ts",
  zapierSignature: "integrations/zapier/src/generated/signature.ts",
  makeInterface: "integrations/make/modules/watchDecisions/watchDecisions.interface.iml.json",
  makeOptions: "integrations/make/modules/searchLogs/searchLogs.mappable-params.iml.json",
};

test("the checked-in copies are what a fresh generation writes", async () => {
  const { code, output } = await generate("--check");
  expect(output).toContain("generated contracts are up to date");
  expect(code).toBe(0);
}, 60_000);

test("an edited, a missing or a stale copy fails the check, each named; generating again repairs them", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "tracira-contracts-"));
  try {
    for (const dir of ["integrations/n8n/nodes", "integrations/zapier/src", "integrations/make"]) {
      await cp(path.join(REPO, dir), path.join(root, dir), { recursive: true, filter: (p) => !p.includes("node_modules") });
    }
    const edit = async (file: string, change: (text: string) => string) => {
      const target = path.join(root, file);
      const before = await readFile(target, "utf8");
      const after = change(before);
      expect(after).not.toBe(before);
      await writeFile(target, after);
    };
    await edit(GENERATED.n8nContract, (t) => t.replace("pageSizeMax: 100", "pageSizeMax: 200"));
    await edit(GENERATED.makeInterface, (t) => JSON.stringify(JSON.parse(t).slice(1), null, 4) + "\n");
    await edit(GENERATED.makeOptions, (t) => t.replace('"value": "flagged"', '"value": "flaged"'));
    await rm(path.join(root, GENERATED.zapierSignature));

    const checked = await generate("--check", "--root", root);
    expect(checked.code).toBe(1);
    for (const file of Object.values(GENERATED)) expect(checked.output).toContain(file);
    expect(checked.output).not.toContain("n8n/nodes/generated/signature.ts");

    const written = await generate("--root", root);
    expect(written.code).toBe(0);
    expect(await generate("--check", "--root", root)).toEqual({ code: 0, output: expect.stringContaining("up to date") });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}, 60_000);

test("every event field the apps list is a field of the event contract (EventPayload)", () => {
  const missing: string[] = [];
  const walk = (fields: readonly EventField[], schema: z.ZodType, at: string) => {
    let shape = schema;
    while (shape instanceof z.ZodNullable || shape instanceof z.ZodOptional) shape = shape.unwrap() as z.ZodType;
    if (shape instanceof z.ZodArray) shape = shape.element as z.ZodType;
    const keys = shape instanceof z.ZodObject ? (shape.shape as Record<string, z.ZodType>) : {};
    for (const field of fields) {
      const child = keys[field.name];
      if (!child) missing.push(`${at}${field.name}`);
      else if (field.fields) walk(field.fields, child, `${at}${field.name}.`);
    }
  };
  walk(EVENT_FIELDS, EventPayload, "");
  expect(missing).toEqual([]);
});

test("the verifier accepts what the signer writes and names each refusal", () => {
  const now = 1_800_000_000;
  const body = '{"event":"log.evaluated"}';
  const header = signatureHeaderValue("whsec_a", body, now);
  expect(signatureProblem("whsec_a", header, body, now + 299)).toBeNull();
  expect(signatureProblem("whsec_a", `${header},v1=${"0".repeat(64)}`, body, now)).toBeNull();
  expect(signatureProblem("whsec_a", header, body.replace("evaluated", "decided"), now)).toBe("mismatch");
  expect(signatureProblem("whsec_b", header, body, now)).toBe("mismatch");
  expect(signatureProblem("whsec_a", header, body, now + 301)).toBe("stale");
  expect(signatureProblem("whsec_a", "v1=abc", body, now)).toBe("malformed");
  expect(signatureProblem("whsec_a", undefined, body, now)).toBe("missing");
});

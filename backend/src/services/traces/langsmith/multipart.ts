import busboy from "busboy";
import { LIMITS } from "@tracira/shared";
import { ApiError } from "../../../lib/api-error";

/** The runs of a multipart upload, as a batch's `post` and `patch` lists, with the part that sent each. */
export interface MultipartRuns {
  batch: { post: Record<string, unknown>[]; patch: Record<string, unknown>[] };
  /** `post.<id>` for `batch.post[i]`…, to name a bad run in the error. */
  parts: { post: string[]; patch: string[] };
}

/** The fields the client sends as parts of their own beside a run (`post.<id>.inputs`…). */
const RUN_FIELDS = new Set(["inputs", "outputs", "events", "extra", "error", "serialized"]);

/** Parts a run may have: its own, six fields, and attachments. */
const PARTS_PER_RUN = 10;

const unreadable = (why: string) =>
  ApiError.invalid(`The multipart body could not be read: ${why}.`, {
    body: "send multipart/form-data parts as the langsmith client does",
  });

/** Every run part of the body, by name, as text (attachments and other file parts are skipped). */
function readParts(body: Buffer, contentType: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        limits: { fieldSize: body.length + 1, fileSize: body.length + 1, parts: LIMITS.spansPerRequest * PARTS_PER_RUN },
      });
    } catch (err) {
      reject(unreadable((err as Error).message));
      return;
    }
    const parts = new Map<string, string>();
    parser.on("field", (name, value) => parts.set(name, value));
    // A run's part sent with a filename (as FormData does with a Blob) is still a run's part; attachments are skipped.
    parser.on("file", (name, stream) => {
      if (!/^(post|patch)\./.test(name)) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => parts.set(name, Buffer.concat(chunks).toString("utf8")));
    });
    parser.on("partsLimit", () => reject(unreadable(`more than ${LIMITS.spansPerRequest} runs in one request`)));
    parser.on("error", (err) => reject(unreadable((err as Error).message)));
    parser.on("close", () => resolve(parts));
    parser.end(body);
  });
}

/**
 * A `POST /runs/multipart` body (what the langsmith client sends, gzip already undone) as the runs it carries:
 * `post.<id>` / `patch.<id>` hold a run's JSON, `post.<id>.<field>` its inputs, outputs, extra, error… apart.
 * Feedback and attachment parts are accepted and left out.
 */
export async function readMultipartRuns(body: Buffer, contentType: string): Promise<MultipartRuns> {
  const runs = new Map<string, Record<string, unknown>>();
  const fields = new Map<string, Record<string, unknown>>();
  const json = (name: string, value: string): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw ApiError.invalid(`Part ${name} is not valid JSON.`, { [name]: "must be valid JSON" });
    }
  };
  for (const [name, value] of await readParts(body, contentType)) {
    const [op, id, field, ...rest] = name.split(".");
    if ((op !== "post" && op !== "patch") || !id || rest.length) continue;
    const key = `${op}.${id}`;
    if (field === undefined) {
      const run = json(name, value);
      if (typeof run !== "object" || run === null || Array.isArray(run)) {
        throw ApiError.invalid(`Part ${name} must be a JSON object (a run).`, { [name]: "must be a JSON object" });
      }
      runs.set(key, run as Record<string, unknown>);
    } else if (RUN_FIELDS.has(field)) {
      fields.set(key, { ...fields.get(key), [field]: json(name, value) });
    }
  }
  for (const key of fields.keys()) {
    if (!runs.has(key)) throw ApiError.invalid(`Parts of ${key} came without the part ${key} itself.`, { [key]: "is missing" });
  }
  const out: MultipartRuns = { batch: { post: [], patch: [] }, parts: { post: [], patch: [] } };
  for (const [key, run] of runs) {
    const [op, id] = key.split(".") as ["post" | "patch", string];
    out.batch[op].push({ id, ...run, ...fields.get(key) });
    out.parts[op].push(key);
  }
  return out;
}

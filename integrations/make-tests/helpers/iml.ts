/**
 * A tiny interpreter of the IML `communication` objects this app uses, enough to perform its requests for
 * real: `{{a.b.c}}` paths into parameters / connection / webhook / pagination / body / headers / statusCode /
 * item, `{{toCollection(x, 'key', 'value')}}`, and the `"{{...}}"` spread key. A string that is one whole
 * `{{…}}` keeps the value's type (Make does the same); an undefined value drops its key. Anything else throws,
 * so a file using a form this does not know fails the contract test instead of passing untested.
 */
export type Scope = Record<string, any>;

const WHOLE = /^\{\{([^{}]+)\}\}$/;
const PART = /\{\{([^{}]+)\}\}/g;

function evaluate(expr: string, scope: Scope): any {
  const text = expr.trim();
  const call = /^toCollection\((.+)\)$/.exec(text);
  if (call) {
    const [source, keyName, valueName] = call[1]!.split(",").map((a) => a.trim());
    const unquote = (a: string | undefined) => (a ?? "").replace(/^'(.*)'$/, "$1");
    const list = evaluate(source!, scope);
    if (list === undefined || list === null) return undefined;
    return Object.fromEntries((list as any[]).map((e) => [e[unquote(keyName)], e[unquote(valueName)]]));
  }
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(text)) throw new Error(`IML form not supported by the test interpreter: {{${text}}}`);
  return text.split(".").reduce<any>((v, key) => (v === undefined || v === null ? undefined : v[key]), scope);
}

export function resolve(template: any, scope: Scope): any {
  if (typeof template === "string") {
    const whole = WHOLE.exec(template);
    if (whole) return evaluate(whole[1]!, scope);
    return template.replace(PART, (_m, expr: string) => {
      const v = evaluate(expr, scope);
      return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => resolve(t, scope));
  if (template && typeof template === "object") {
    const out: Record<string, any> = {};
    for (const [key, value] of Object.entries(template)) {
      const v = resolve(value, scope);
      if (key === "{{...}}") Object.assign(out, v ?? {});
      else if (v !== undefined) out[key] = v;
    }
    return out;
  }
  return template;
}

export interface Performed {
  request: { url: string; method: string; headers: Record<string, string>; body?: unknown };
  statusCode: number;
  body: any;
  /** The `response.output` (or each `iterate` item's) result. */
  outputs: any[];
  /** `response.data` (webhook attach) and `response.metadata` (connection). */
  data?: any;
  metadata?: any;
}

/**
 * Performs one communication as Make would: relative URLs on `base.baseUrl`, the base's headers first,
 * `qs` without empty values, JSON bodies, `response.error` (else the base's) on a 4xx/5xx, then
 * `iterate`/`output`/`data`/`metadata`. `pagination.qs` is applied for the first page only.
 */
export async function perform(comm: any, base: any | null, scope: Scope): Promise<Performed> {
  const ctx = { pagination: { page: 1 }, ...scope };
  let url: string = resolve(comm.url, ctx);
  if (base && url.startsWith("/")) url = resolve(base.baseUrl, ctx) + url;
  const method = resolve(comm.method ?? "GET", ctx).toUpperCase();
  const headers: Record<string, string> = { ...(base ? resolve(base.headers ?? {}, ctx) : {}), ...resolve(comm.headers ?? {}, ctx) };
  const qs = { ...resolve(comm.qs ?? {}, ctx), ...(comm.pagination ? resolve(comm.pagination.qs ?? {}, ctx) : {}) };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(qs)) {
    if (v === undefined || v === null || v === "") continue;
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  }
  if ([...search].length) url += (url.includes("?") ? "&" : "?") + search.toString();
  const body = comm.body === undefined ? undefined : resolve(comm.body, ctx);
  if (body !== undefined) headers["Content-Type"] ??= "application/json";
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  const responseHeaders = Object.fromEntries(res.headers.entries());
  const rctx = { ...ctx, body: parsed, headers: responseHeaders, statusCode: res.status };
  const response = comm.response ?? {};
  if (res.status >= 400) {
    const error = response.error ?? base?.response?.error ?? { message: "[{{statusCode}}] {{body}}" };
    throw Object.assign(new Error(resolve(error.message, rctx)), { statusCode: res.status, body: parsed });
  }
  const iterate = response.iterate ?? comm.iterate;
  const output = response.output ?? comm.output ?? "{{body}}";
  let outputs: any[];
  if (iterate) {
    const items: any[] = resolve(iterate, rctx) ?? [];
    outputs = items.map((item) => resolve(output, { ...rctx, item }));
  } else outputs = [resolve(output, rctx)];
  if (response.limit !== undefined) outputs = outputs.slice(0, Number(resolve(response.limit, rctx)));
  return {
    request: { url, method, headers, body },
    statusCode: res.status,
    body: parsed,
    outputs,
    data: response.data === undefined ? undefined : resolve(response.data, rctx),
    metadata: response.metadata === undefined ? undefined : resolve(response.metadata, rctx),
  };
}

/**
 * The interface fields (as `a.b`, `a[].b` paths) missing from `value`: a field counts as present when its
 * key exists (null is a value); nested collections and arrays of collections are checked when present.
 */
export function missingFields(spec: any[], value: any, prefix = ""): string[] {
  const missing: string[] = [];
  for (const field of spec) {
    const name = `${prefix}${field.name}`;
    if (!value || typeof value !== "object" || !(field.name in value)) {
      missing.push(name);
      continue;
    }
    const v = value[field.name];
    if (field.type === "collection" && Array.isArray(field.spec) && v) missing.push(...missingFields(field.spec, v, `${name}.`));
    if (field.type === "array" && Array.isArray(field.spec) && Array.isArray(v))
      for (const item of v) missing.push(...missingFields(field.spec, item, `${name}[].`));
  }
  return [...new Set(missing)];
}

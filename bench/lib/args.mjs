import path from "node:path";

/**
 * Parses `--name value` and `--name=value` against `spec`, keyed by camelCase name (`cpuProf` is
 * `--cpu-prof`). Each entry: `{ kind: "number" | "flag" | "path" | "string", default, min }`.
 * `--help` / `-h` prints `usage` and exits; a bad option prints why and exits with 2. Call it before
 * creating anything.
 */
export function parseArgs(argv, spec, usage) {
  try {
    return parse(argv, spec, usage);
  } catch (err) {
    console.error(`${err.message}\n${usage.trim()}`);
    process.exit(2);
  }
}

function parse(argv, spec, usage) {
  const opts = Object.fromEntries(Object.entries(spec).map(([key, s]) => [key, s.default ?? (s.kind === "flag" ? false : undefined)]));
  const byFlag = new Map(Object.keys(spec).map((key) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, key]));
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--help" || flag === "-h") {
      console.log(usage.trim());
      process.exit(0);
    }
    const key = byFlag.get(flag);
    if (!key) throw new Error(`unknown option ${argv[i]} (see --help)`);
    const s = spec[key];
    if (s.kind === "flag") {
      opts[key] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new Error(`${flag} needs a value`);
    if (s.kind === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < (s.min ?? 0)) throw new Error(`${flag} needs a number of at least ${s.min ?? 0}, got ${raw}`);
      opts[key] = n;
    } else if (s.kind === "path") opts[key] = path.resolve(raw);
    else if (s.choices && !s.choices.includes(raw)) throw new Error(`${flag} must be one of ${s.choices.join(", ")}, got ${raw}`);
    else opts[key] = raw;
  }
  return opts;
}

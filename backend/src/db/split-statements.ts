/**
 * A SQL script's statements, for running them one at a time (a script sent whole runs as one implicit
 * transaction). Splits at `;` outside quotes ('…', E'…' with backslash escapes, "…"), dollar quotes
 * ($tag$…$tag$) and comments; comments are dropped, empty statements skipped.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  const take = (end: number) => {
    current += script.slice(i, end);
    i = end;
  };
  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      i = end === -1 ? script.length : end;
    } else if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end === -1 ? script.length : end + 2;
      current += " ";
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]$/.test(current) && !/\w[eE]$/.test(current);
      take(quotedEnd(script, i, c, escapes));
    } else if (c === "$" && /^\$[A-Za-z_]?\w*\$/.test(script.slice(i)) && !/\w$/.test(current)) {
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(script.slice(i))![0];
      const end = script.indexOf(tag, i + tag.length);
      take(end === -1 ? script.length : end + tag.length);
    } else if (c === ";") {
      statements.push(current);
      current = "";
      i += 1;
    } else {
      take(i + 1);
    }
  }
  statements.push(current);
  return statements.map((s) => s.trim()).filter(Boolean);
}

/** Where the quoted text opening at `start` ends (after its closing quote); a doubled quote stays inside. */
function quotedEnd(script: string, start: number, quote: string, escapes: boolean): number {
  let i = start + 1;
  while (i < script.length) {
    if (escapes && script[i] === "\\") i += 2;
    else if (script[i] === quote && script[i + 1] === quote) i += 2;
    else if (script[i] === quote) return i + 1;
    else i += 1;
  }
  return script.length;
}

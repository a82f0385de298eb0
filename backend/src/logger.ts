/** A minimal leveled logger writing one line per event to stderr (stdout stays for what users read). */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel): Logger {
  const write = (at: Exclude<LogLevel, "silent">) => (msg: string, extra?: Record<string, unknown>) => {
    if (LEVELS[at] < LEVELS[level]) return;
    const tail = extra ? ` ${JSON.stringify(extra)}` : "";
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} ${msg}${tail}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

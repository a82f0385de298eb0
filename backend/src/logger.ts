import pino from "pino";

/** Structured JSON logs, one object per line on stderr (stdout stays for what users read: the start banner). */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface Logger {
  debug(msg: string, extra?: Record<string, unknown>): void;
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

/**
 * pino, writing synchronously so the last lines before an exit are never lost. Each line has `level`,
 * `time` (ISO), `msg`, and the event's own fields (a request's `requestId`, a log's id…).
 */
export function createLogger(level: LogLevel): Logger {
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  const at = (write: pino.LogFn) => (msg: string, extra?: Record<string, unknown>) =>
    extra ? write.call(log, extra, msg) : write.call(log, msg);
  return { debug: at(log.debug), info: at(log.info), warn: at(log.warn), error: at(log.error) };
}

import type { ListLogsQuery } from "@tracira/shared";
import { binder } from "../../db/bind";
import { logCountsOf, PENDING_REVIEW_GROUPS } from "../../db/log-rollups";

const DAY_MS = 86_400_000;

/** Whether the rollups hold the list's counts: no filter outside their dimensions (logs never have an empty task). */
export function withinRollups(q: ListLogsQuery): boolean {
  return (
    q.sessionId === undefined &&
    q.subjectId === undefined &&
    q.actorId === undefined &&
    !q.q?.trim() &&
    !q.tags?.length &&
    !q.filters?.length &&
    q.task !== ""
  );
}

/** [start, end) in ms; undefined ends are open. */
interface Span {
  start?: number;
  end?: number;
}

/**
 * The list's matching logs as rows (status, human_decision, n) to be summed, for filters within the
 * rollups: whole UTC days from the rollups; of a day that `from`/`to` cut, either the part inside counted
 * from `logs`, or the whole day from the rollups minus the part outside counted from `logs` (negative n),
 * whichever spans less time up to now — `to` = now costs nothing, since no log lies after now. One
 * statement, so exact.
 */
export function rollupRows(workspaceId: string, q: ListLogsQuery, now = Date.now()): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const bind = binder(params);
  const workspace = bind(workspaceId);
  const project = q.project !== undefined ? bind(q.project) : undefined;
  const task = q.task !== undefined ? bind(q.task) : undefined;
  const status = q.status ? bind(q.status) : undefined;

  // The dimension filters, over rollup rows or over logs (alias l).
  const filters = (prefix: string) => {
    const where: string[] = [];
    if (project)
      where.push(`${prefix}project_id IN (SELECT id FROM projects WHERE workspace_id = ${workspace}::uuid AND name = ${project})`);
    if (task) where.push(`${prefix}task_name = ${task}`);
    if (status) where.push(`${prefix}status = ${status}::log_status`);
    if (q.pending) where.push(prefix ? `l.human_decision IS NULL AND l.status IN ('flagged', 'error')` : PENDING_REVIEW_GROUPS);
    return where;
  };
  const at = (ms: number) => `${bind(new Date(ms).toISOString())}::timestamptz`;
  const logsIn = (span: Span, sign: "" | "-") => {
    const where = [`l.workspace_id = ${workspace}::uuid`, ...filters("l.")];
    if (span.start !== undefined) where.push(`l.timestamp >= ${at(span.start)}`);
    if (span.end !== undefined) where.push(`l.timestamp < ${at(span.end)}`);
    return `SELECT l.status, coalesce(l.human_decision::text, '') AS human_decision, ${sign}count(*) AS n
      FROM logs l WHERE ${where.join(" AND ")} GROUP BY 1, 2`;
  };

  const start = q.from?.getTime();
  const end = q.to ? q.to.getTime() + 1 : undefined; // to is inclusive; timestamps are whole milliseconds
  const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
  // Time up to now inside [a, b): what counting logs there costs, roughly.
  const cost = (a: number, b: number) => Math.max(0, Math.min(b, now) - a);
  const parts: string[] = [];
  let firstDay = start; // rollup days: [firstDay, endDay)
  let endDay = end;
  if (start !== undefined && end !== undefined && floorDay(start) === floorDay(end - 1)) {
    // Within one day: the part inside, or the day minus the parts outside.
    const day = floorDay(start);
    if (cost(start, end) <= cost(day, start) + cost(end, day + DAY_MS)) return { sql: logsIn({ start, end }, ""), params };
    if (day < start) parts.push(logsIn({ start: day, end: start }, "-"));
    if (end < day + DAY_MS) parts.push(logsIn({ start: end, end: day + DAY_MS }, "-"));
    [firstDay, endDay] = [day, day + DAY_MS];
  } else {
    if (start !== undefined && start !== floorDay(start)) {
      const day = floorDay(start);
      if (cost(start, day + DAY_MS) <= cost(day, start)) {
        parts.push(logsIn({ start, end: day + DAY_MS }, ""));
        firstDay = day + DAY_MS;
      } else {
        parts.push(logsIn({ start: day, end: start }, "-"));
        firstDay = day;
      }
    }
    if (end !== undefined && end !== floorDay(end)) {
      const day = floorDay(end);
      if (cost(day, end) <= cost(end, day + DAY_MS)) {
        parts.push(logsIn({ start: day, end }, ""));
        endDay = day;
      } else {
        parts.push(logsIn({ start: end, end: day + DAY_MS }, "-"));
        endDay = day + DAY_MS;
      }
    }
  }
  const where = filters("");
  const day = (ms: number) => `${bind(new Date(ms).toISOString().slice(0, 10))}::date`;
  if (firstDay !== undefined) where.push(`day >= ${day(firstDay)}`);
  if (endDay !== undefined) where.push(`day < ${day(endDay)}`);
  parts.unshift(`SELECT status, human_decision, n FROM ${logCountsOf(workspace)} r${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`);
  return { sql: parts.join(" UNION ALL "), params };
}

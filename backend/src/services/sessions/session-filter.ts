import { escapeLike } from "../../db/like";
import { PROJECT_SESSION_LOGS, TRACE_END } from "./trace-sql";

/** A session's latest activity: its traces' latest end (a running trace: its start), to the millisecond (the cursor's precision). */
export const LAST_ACTIVITY = `date_trunc('milliseconds', max(coalesce(${TRACE_END}, l.started_at)))`;

/**
 * The sessions of a project that were active between `from` and `to` (first start at or before `to`, latest
 * activity at or after `from`) and whose id contains `q`: the SQL's WHERE and HAVING clauses and their
 * parameters after `$1` (workspace) and `$2` (project). The CSV export selects its sessions the same way.
 */
export function sessionFilter(q: { from?: Date; to?: Date; q?: string }, params: unknown[]) {
  const where = [PROJECT_SESSION_LOGS];
  const having: string[] = [];
  const add = (into: string[], clause: (n: string) => string, value: unknown) => {
    params.push(value);
    into.push(clause(`$${params.length}`));
  };
  if (q.q?.trim()) add(where, (n) => `l.session_id ILIKE ${n}`, `%${escapeLike(q.q.trim())}%`);
  if (q.to) add(having, (n) => `min(l.started_at) <= ${n}::timestamptz`, q.to.toISOString());
  if (q.from) add(having, (n) => `${LAST_ACTIVITY} >= ${n}::timestamptz`, q.from.toISOString());
  return { where, having };
}

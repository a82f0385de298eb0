import { binder } from "../../db/bind";
import { escapeLike } from "../../db/like";
import { TRACE_END } from "../traces/trace-sql";

/** The logs of one project that belong to a session. */
const PROJECT_SESSION_LOGS = `l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id IS NOT NULL`;

/** A session's latest activity: its traces' latest end (a running trace: its start), to the millisecond (the cursor's precision). */
export const LAST_ACTIVITY = `date_trunc('milliseconds', max(coalesce(${TRACE_END}, l.started_at)))`;

/**
 * The sessions of a project that were active between `from` and `to` (first start at or before `to`, latest
 * activity at or after `from`) and whose id contains `q`: the SQL's WHERE and HAVING clauses and their
 * parameters after `$1` (workspace) and `$2` (project). The CSV export selects its sessions the same way.
 */
export function sessionFilter(q: { from?: Date; to?: Date; q?: string }, params: unknown[]) {
  const bind = binder(params);
  const where = [PROJECT_SESSION_LOGS];
  const having: string[] = [];
  if (q.q?.trim()) where.push(`l.session_id ILIKE ${bind(`%${escapeLike(q.q.trim())}%`)}`);
  if (q.to) having.push(`min(l.started_at) <= ${bind(q.to.toISOString())}::timestamptz`);
  if (q.from) having.push(`${LAST_ACTIVITY} >= ${bind(q.from.toISOString())}::timestamptz`);
  return { where, having };
}

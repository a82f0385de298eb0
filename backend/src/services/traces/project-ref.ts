import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";

export interface ProjectRef {
  id: string;
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The project a trace route names, by id or by name (builders know their project by name), in this
 * workspace only: another workspace's project is as unknown as a missing one (404).
 */
export async function resolveProject(sql: SqlClient, workspaceId: string, ref: string): Promise<ProjectRef> {
  const rows = UUID.test(ref)
    ? await sql.query<ProjectRef>(
        `SELECT id, name FROM projects WHERE workspace_id = $1::uuid AND (id = $2::uuid OR name = $3) ORDER BY (id = $2::uuid) DESC LIMIT 1`,
        [workspaceId, ref, ref],
      )
    : await sql.query<ProjectRef>(`SELECT id, name FROM projects WHERE workspace_id = $1::uuid AND name = $2`, [workspaceId, ref]);
  const project = rows[0];
  if (!project) throw ApiError.notFound("Project");
  return project;
}

import type { JudgeProvider } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import type { WorkspaceJudgeSettings } from "./judge-service";

/**
 * A workspace's judge defaults. Its own provider keys are stored encrypted; until the settings API
 * (which writes and decrypts them) exists, no workspace has one and the server's keys are used.
 */
export async function workspaceJudgeSettings(sql: SqlClient, workspaceId: string): Promise<WorkspaceJudgeSettings> {
  const rows = await sql.query<{
    default_judge_provider: JudgeProvider | null;
    openai_judge_model: string | null;
    anthropic_judge_model: string | null;
    openrouter_judge_model: string | null;
  }>(
    `SELECT default_judge_provider, openai_judge_model, anthropic_judge_model, openrouter_judge_model FROM workspaces WHERE id = $1`,
    [workspaceId],
    "tracira_workspace_judge_settings",
  );
  const row = rows[0];
  return {
    defaultProvider: row?.default_judge_provider ?? null,
    models: { openai: row?.openai_judge_model ?? null, anthropic: row?.anthropic_judge_model ?? null, openrouter: row?.openrouter_judge_model ?? null },
    keys: {},
  };
}

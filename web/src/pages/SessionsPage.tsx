import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Field } from "../components/Field";
import { FormError } from "../components/FormError";
import { SessionTable } from "../components/SessionTable";
import { navigate, useLocation, withQuery } from "../router";
import { trpc } from "../trpc";

const PAGE_SIZE = 25;

/**
 * A project's sessions (logs sharing a sessionId) with their rollups, latest activity first. The project and
 * the page's cursor are in the URL; Previous walks back through the cursors of this visit.
 */
export function SessionsPage() {
  const { pathname, search } = useLocation();
  const projectId = search.get("project") ?? "";
  const cursor = search.get("cursor") ?? "";
  const [previous, setPrevious] = useState<string[]>([]);
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => trpc.projects.list.query() });
  const input = { projectId, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  const sessions = useQuery({
    queryKey: ["sessions.list", input],
    queryFn: () => trpc.sessions.list.query(input),
    enabled: Boolean(projectId),
    placeholderData: keepPreviousData,
  });

  const go = (query: { project: string; cursor?: string | undefined }, replace = false) =>
    navigate(withQuery(pathname, { project: query.project, cursor: query.cursor }), { replace });

  // Without a project in the URL, the first one is shown.
  const first = projects.data?.[0]?.id;
  useEffect(() => {
    if (!projectId && first) go({ project: first }, true);
  });

  return (
    <section className="page">
      <h1>Sessions</h1>
      <div className="filter-bar" role="search">
        <Field label="Project">
          {(control) => (
            <select
              {...control}
              value={projectId}
              onChange={(e) => {
                setPrevious([]);
                go({ project: e.target.value });
              }}
            >
              {projects.data?.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {projects.data?.length === 0 ? <p className="empty">No projects yet: send a log with a sessionId to see its sessions here.</p> : null}
      <FormError error={projects.error ?? sessions.error} />
      {sessions.data ? (
        sessions.data.sessions.length === 0 && !cursor ? (
          <p className="empty">No sessions in this project: send logs with a sessionId to group them into sessions.</p>
        ) : (
          <>
            <SessionTable projectId={projectId} sessions={sessions.data.sessions} />
            <div className="pagination">
              <button
                type="button"
                className="button secondary small"
                disabled={!cursor}
                onClick={() => {
                  go({ project: projectId, cursor: previous.at(-1) });
                  setPrevious(previous.slice(0, -1));
                }}
              >
                {previous.length || !cursor ? "Previous" : "First page"}
              </button>
              <button
                type="button"
                className="button secondary small"
                disabled={!sessions.data.nextCursor}
                onClick={() => {
                  setPrevious([...previous, cursor]);
                  go({ project: projectId, cursor: sessions.data.nextCursor ?? undefined });
                }}
              >
                Next
              </button>
            </div>
          </>
        )
      ) : projectId && sessions.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </section>
  );
}

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Field } from "../components/Field";
import { FormError } from "../components/FormError";
import { SessionTable } from "../components/SessionTable";
import { useDebounced } from "../hooks/useDebounced";
import { navigate, useLocation, withQuery } from "../router";
import { trpc } from "../trpc";
import { useProjects } from "../hooks/useProjects";
import { ProjectOptions } from "../components/ProjectOptions";

const PAGE_SIZE = 25;

interface View {
  project: string;
  q: string;
  cursor: string;
}

function SessionSearch({ q, onChange }: { q: string; onChange: (q: string) => void }) {
  const [text, setText] = useState(q);
  useDebounced(text, (next) => {
    if (next !== q) onChange(next);
  });
  return (
    <Field label="Session id">
      {(control) => (
        <input {...control} type="search" placeholder="Part of a session id" value={text} onChange={(e) => setText(e.target.value)} />
      )}
    </Field>
  );
}

/**
 * A project's sessions (logs sharing a sessionId) with their rollups, latest activity first. The project, the
 * search and the page's cursor are in the URL; Previous walks back through the cursors of this visit.
 */
export function SessionsPage() {
  const { pathname, search } = useLocation();
  const view: View = { project: search.get("project") ?? "", q: search.get("q") ?? "", cursor: search.get("cursor") ?? "" };
  const [previous, setPrevious] = useState<string[]>([]);
  const projects = useProjects();
  const input = {
    projectId: view.project,
    limit: PAGE_SIZE,
    ...(view.q.trim() ? { q: view.q.trim() } : {}),
    ...(view.cursor ? { cursor: view.cursor } : {}),
  };
  const sessions = useQuery({
    queryKey: ["sessions.list", input],
    queryFn: () => trpc.sessions.list.query(input),
    enabled: Boolean(view.project),
    placeholderData: keepPreviousData,
  });

  /** A new project or search starts again at the first page. */
  const go = (change: Partial<View>, replace = false) => {
    const next = { ...view, cursor: "", ...change };
    if (!("cursor" in change)) setPrevious([]);
    navigate(withQuery(pathname, { project: next.project, q: next.q, cursor: next.cursor }), { replace });
  };

  // Without a project in the URL, the first one is shown.
  const first = projects.data?.[0]?.id;
  useEffect(() => {
    if (!view.project && first) go({ project: first }, true);
  });

  const nextCursor = sessions.data?.nextCursor;
  return (
    <section className="page">
      <h1>Sessions</h1>
      <div className="filter-bar" role="search">
        <Field label="Project">
          {(control) => (
            <select {...control} value={view.project} onChange={(e) => go({ project: e.target.value })}>
              <ProjectOptions projects={projects.data} valueBy="id" />
            </select>
          )}
        </Field>
        <SessionSearch q={view.q} onChange={(q) => go({ q })} />
      </div>
      {projects.data?.length === 0 ? <p className="empty">No projects yet: send a log with a sessionId to see its sessions here.</p> : null}
      <FormError error={projects.error ?? sessions.error} />
      {sessions.data ? (
        sessions.data.sessions.length === 0 && !view.cursor ? (
          <p className="empty">
            {view.q ? "No session id of this project contains this text." : "No sessions in this project: send logs with a sessionId."}
          </p>
        ) : (
          <>
            <SessionTable projectId={view.project} sessions={sessions.data.sessions} />
            <div className="pagination">
              <button
                type="button"
                className="button secondary small"
                disabled={!view.cursor}
                onClick={() => {
                  go({ cursor: previous.at(-1) ?? "" });
                  setPrevious(previous.slice(0, -1));
                }}
              >
                {previous.length || !view.cursor ? "Previous" : "First page"}
              </button>
              <button
                type="button"
                className="button secondary small"
                disabled={!nextCursor}
                onClick={() => {
                  setPrevious([...previous, view.cursor]);
                  go({ cursor: nextCursor ?? "" });
                }}
              >
                Next
              </button>
            </div>
          </>
        )
      ) : view.project && sessions.isPending ? (
        <p className="muted">Loading…</p>
      ) : null}
    </section>
  );
}

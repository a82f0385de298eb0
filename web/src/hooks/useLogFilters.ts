import { LOG_STATUSES, type LogStatus } from "../enums";
import { readFilters, type TypedFilter } from "../filter-columns";
import { navigate, useLocation, withQuery } from "../router";
import type { ListLogsInput } from "../trpc";

/** The Logs page filters, kept in the URL so a filtered view can be shared and survives a reload. */
export interface LogFilters {
  q: string;
  status: LogStatus | "";
  project: string;
  task: string;
  pending: boolean;
  from: string;
  to: string;
  page: number;
  /** The typed filters of the builder (`filters=<JSON>` in the URL, as the list API takes them). */
  typed: TypedFilter[];
}

export const PAGE_SIZE = 50;

const isStatus = (value: string | null): value is LogStatus => LOG_STATUSES.some((status) => status === value);

function read(search: URLSearchParams): LogFilters {
  const status = search.get("status");
  const page = Number(search.get("page"));
  return {
    q: search.get("q") ?? "",
    status: isStatus(status) ? status : "",
    project: search.get("project") ?? "",
    task: search.get("task") ?? "",
    pending: search.get("pending") === "true",
    from: search.get("from") ?? "",
    to: search.get("to") ?? "",
    page: Number.isInteger(page) && page > 0 ? page : 1,
    typed: readFilters(search.get("filters")),
  };
}

/** The filters as `logs.list` input (all text, as in a URL query). `to` is a whole day: up to its last instant. */
export function toListInput(filters: LogFilters): ListLogsInput {
  const input: ListLogsInput = { page: String(filters.page), limit: String(PAGE_SIZE) };
  if (filters.q.trim()) input.q = filters.q.trim();
  if (filters.status) input.status = filters.status;
  if (filters.project) input.project = filters.project;
  if (filters.task) input.task = filters.task;
  if (filters.pending) input.pending = "true";
  if (filters.from) input.from = filters.from;
  if (filters.to) input.to = `${filters.to}T23:59:59.999Z`;
  if (filters.typed.length) input.filters = JSON.stringify(filters.typed);
  return input;
}

export function useLogFilters() {
  const { pathname, search } = useLocation();
  const filters = read(search);
  /** Changes some filters; any change but the page's own goes back to page 1. */
  const update = (change: Partial<LogFilters>) => {
    const next = { ...filters, page: 1, ...change };
    navigate(
      withQuery(pathname, {
        q: next.q,
        status: next.status,
        project: next.project,
        task: next.task,
        pending: next.pending ? "true" : undefined,
        from: next.from,
        to: next.to,
        page: next.page > 1 ? String(next.page) : undefined,
        filters: next.typed.length ? JSON.stringify(next.typed) : undefined,
      }),
      { replace: true },
    );
  };
  return { filters, update };
}

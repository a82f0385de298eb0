import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { FormError } from "./FormError";

/** A query's data once loaded; a placeholder while loading; the error otherwise. */
export function Loadable<T>(props: { query: UseQueryResult<T>; children: (data: T) => ReactNode; loading?: string }) {
  const { query } = props;
  if (query.isPending) return <p className="muted">{props.loading ?? "Loading…"}</p>;
  if (query.isError) return <FormError error={query.error} />;
  return <>{props.children(query.data)}</>;
}

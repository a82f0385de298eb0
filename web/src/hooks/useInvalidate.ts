import { useQueryClient } from "@tanstack/react-query";

/** Refetches every query whose key starts with one of the prefixes ("logs." covers logs.list, logs.get…). */
export function useInvalidate() {
  const client = useQueryClient();
  return (...prefixes: string[]) =>
    client.invalidateQueries({
      predicate: (query) => prefixes.some((prefix) => String(query.queryKey[0]).startsWith(prefix)),
    });
}

import { useQuery } from "@tanstack/react-query";
import { trpc } from "../trpc";

/** The workspace's projects (one query, shared by every page and picker that lists them). */
export function useProjects() {
  return useQuery({ queryKey: ["projects.list"], queryFn: () => trpc.projects.list.query() });
}

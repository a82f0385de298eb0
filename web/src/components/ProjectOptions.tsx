import type { Project } from "../trpc";

/** The projects as a select's options, each valued by its id or its name. */
export function ProjectOptions({ projects, valueBy }: { projects: readonly Project[] | undefined; valueBy: "id" | "name" }) {
  return (
    <>
      {projects?.map((project) => (
        <option key={project.id} value={project[valueBy]}>
          {project.name}
        </option>
      ))}
    </>
  );
}

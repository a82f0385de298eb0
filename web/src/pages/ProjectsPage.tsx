import { Loadable } from "../components/Loadable";
import { ProjectCard } from "../components/ProjectCard";
import { ProjectCreateForm } from "../components/ProjectCreateForm";
import { useProjects } from "../hooks/useProjects";

export function ProjectsPage() {
  const projects = useProjects();
  return (
    <section className="page">
      <h1>Projects</h1>
      <p className="muted">Projects are created automatically by the first log that names them; you can also add them here.</p>
      <ProjectCreateForm />
      <Loadable query={projects}>
        {(data) =>
          data.length === 0 ? (
            <p className="empty">No projects yet.</p>
          ) : (
            <ul className="project-list">
              {data.map((project) => (
                <ProjectCard key={project.id} project={project} />
              ))}
            </ul>
          )
        }
      </Loadable>
    </section>
  );
}

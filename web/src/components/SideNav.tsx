import { Link, useLocation } from "../router";
import { useIsAdmin } from "../session";

const LINKS = [
  { to: "/", label: "Overview" },
  { to: "/logs", label: "Logs" },
  { to: "/sessions", label: "Sessions" },
  { to: "/review", label: "Review queue" },
  { to: "/rules", label: "Rules" },
  { to: "/projects", label: "Projects" },
  { to: "/settings", label: "Settings", adminOnly: true },
];

const isActive = (to: string, pathname: string) => (to === "/" ? pathname === "/" : pathname === to || pathname.startsWith(`${to}/`));

export function SideNav() {
  const { pathname } = useLocation();
  const admin = useIsAdmin();
  return (
    <nav className="sidenav" aria-label="Main">
      {LINKS.filter((link) => admin || !link.adminOnly).map((link) => {
        const active = isActive(link.to, pathname);
        return (
          <Link
            key={link.to}
            to={link.to}
            className={active ? "nav-link active" : "nav-link"}
            {...(active ? { "aria-current": "page" as const } : {})}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}

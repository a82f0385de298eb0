import { Link } from "../router";

/** Sub-navigation rendered as links (each tab has its own URL). */
export function Tabs(props: { tabs: { to: string; label: string }[]; current: string }) {
  return (
    <nav className="tabs" aria-label="Sections">
      {props.tabs.map((tab) => (
        <Link
          key={tab.to}
          to={tab.to}
          className={tab.to === props.current ? "tab active" : "tab"}
          {...(tab.to === props.current ? { "aria-current": "page" as const } : {})}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}

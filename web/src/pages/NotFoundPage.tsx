import { Link } from "../router";

export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}

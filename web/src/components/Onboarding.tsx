import { Link } from "../router";
import { useIsAdmin } from "../session";
import { CurlExample } from "./CurlExample";

/** Shown while the workspace has no logs: how to send the first one. */
export function Onboarding() {
  const admin = useIsAdmin();
  return (
    <section className="card onboarding" data-testid="onboarding">
      <h2>Send your first AI output</h2>
      {/* Link texts here avoid the side navigation's names ("Settings"), so each name stays unique on the page. */}
      <p>
        Point your n8n, Zapier or Make workflow at Tracira, or try it from a terminal. The webhook token is in{" "}
        <strong>Settings → Integrations</strong>
        {admin ? (
          <>
            {" "}
            (<Link to="/settings/integrations">show my webhook token</Link>).
          </>
        ) : (
          " (ask a workspace admin)."
        )}
      </p>
      <CurlExample />
    </section>
  );
}

import { CopyButton } from "./CopyButton";

/** The first request to send: a log posted with the workspace's webhook token. */
export function CurlExample({ token }: { token?: string | undefined }) {
  const command = [
    `curl -X POST ${window.location.origin}/api/logs \\`,
    `  -H "Authorization: Bearer ${token ?? "<your webhook token>"}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"project": "my-first-project", "output": "Here is my AI-generated response."}'`,
  ].join("\n");
  return (
    <div className="code-block">
      <pre data-testid="curl-example">{command}</pre>
      <CopyButton text={command} />
    </div>
  );
}

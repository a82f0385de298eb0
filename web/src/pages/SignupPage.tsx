import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../components/AuthCard";
import { Field } from "../components/Field";
import { FormError } from "../components/FormError";
import { fieldError } from "../errors";
import { formatDateTime } from "../format";
import { useOnSignedIn } from "../hooks/useOnSignedIn";
import { Link, useLocation } from "../router";
import { trpc } from "../trpc";

/** Which workspace an invite link joins (or why it cannot be used). */
function InvitationNotice({ token }: { token: string }) {
  const invitation = useQuery({ queryKey: ["auth.invitation", { token }], queryFn: () => trpc.auth.invitation.query({ token }) });
  if (invitation.isPending) return <p className="muted">Checking your invitation…</p>;
  if (invitation.isError) return <FormError error={invitation.error} />;
  return (
    <p className="notice" data-testid="invitation">
      You are joining <strong>{invitation.data.workspaceName}</strong> as {invitation.data.role}. The invitation expires{" "}
      {formatDateTime(invitation.data.expiresAt)}.
    </p>
  );
}

export function SignupPage() {
  const inviteToken = useLocation().search.get("invite") ?? undefined;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [workspaceName, setWorkspaceName] = useState("");
  const [claimToken, setClaimToken] = useState("");
  const onSignedIn = useOnSignedIn();
  const status = useQuery({ queryKey: ["auth.status"], queryFn: () => trpc.auth.status.query() });
  /** The first workspace waits for its admin: whoever has the token the server printed claims it. */
  const claiming = !inviteToken && status.data?.claimable === true;
  /** Open sign-up once the workspace has users starts a workspace of one's own, which needs a name. */
  const newWorkspace = !inviteToken && !claiming && status.data?.hasUsers === true && status.data.signupOpen;
  const signUp = useMutation({
    mutationFn: () =>
      trpc.auth.signUp.mutate({
        email,
        password,
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(inviteToken ? { inviteToken } : {}),
        ...(newWorkspace && workspaceName.trim() ? { workspaceName: workspaceName.trim() } : {}),
        ...(claiming && claimToken.trim() ? { claimToken: claimToken.trim() } : {}),
      }),
    onSuccess: onSignedIn,
  });
  const closed = !inviteToken && status.data?.signupOpen === false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signUp.mutate();
  };

  return (
    <AuthCard
      title="Create account"
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      {inviteToken ? <InvitationNotice token={inviteToken} /> : null}
      {claiming ? (
        <p className="notice">
          You are creating the first account: it will be the workspace admin. Paste the workspace token the server printed when it first
          started, to show it is yours.
        </p>
      ) : null}
      {closed ? (
        <p className="notice">Sign-up is by invitation: ask a workspace admin for an invite link.</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <Field label="Email" error={fieldError(signUp.error, "email")}>
            {(control) => (
              <input {...control} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            )}
          </Field>
          <Field label="Password" error={fieldError(signUp.error, "password")} hint="At least 10 characters.">
            {(control) => (
              <input
                {...control}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
              />
            )}
          </Field>
          <Field label="Name" error={fieldError(signUp.error, "name")} hint="Optional.">
            {(control) => <input {...control} type="text" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          {claiming ? (
            <Field
              label="Workspace token"
              error={fieldError(signUp.error, "claimToken")}
              hint="The wh-… token printed by the server's first start (in its console or log)."
            >
              {(control) => (
                <input
                  {...control}
                  type="password"
                  autoComplete="off"
                  value={claimToken}
                  onChange={(e) => setClaimToken(e.target.value)}
                  required
                />
              )}
            </Field>
          ) : null}
          {newWorkspace ? (
            <Field label="Workspace" error={fieldError(signUp.error, "workspaceName")} hint="The name of your new workspace.">
              {(control) => <input {...control} type="text" value={workspaceName} onChange={(e) => setWorkspaceName(e.target.value)} />}
            </Field>
          ) : null}
          <FormError error={signUp.error} />
          <button type="submit" className="button primary wide" disabled={signUp.isPending}>
            Create account
          </button>
        </form>
      )}
    </AuthCard>
  );
}

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../components/AuthCard";
import { Field } from "../components/Field";
import { FormError } from "../components/FormError";
import { fieldError } from "../errors";
import { useOnSignedIn } from "../hooks/useOnSignedIn";
import { Link } from "../router";
import { trpc } from "../trpc";

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const onSignedIn = useOnSignedIn();
  const status = useQuery({ queryKey: ["auth.status"], queryFn: () => trpc.auth.status.query() });
  const logIn = useMutation({ mutationFn: () => trpc.auth.logIn.mutate({ email, password }), onSuccess: onSignedIn });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    logIn.mutate();
  };

  const footer =
    status.data?.hasUsers === false ? (
      <>
        No account exists yet. <Link to="/signup">Create the first account</Link>
      </>
    ) : status.data?.signupOpen ? (
      <>
        New here? <Link to="/signup">Create an account</Link>
      </>
    ) : null;

  return (
    <AuthCard title="Log in" footer={footer}>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Email" error={fieldError(logIn.error, "email")}>
          {(control) => (
            <input {...control} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label="Password" error={fieldError(logIn.error, "password")}>
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          )}
        </Field>
        <FormError error={logIn.error} />
        <button type="submit" className="button primary wide" disabled={logIn.isPending}>
          Log in
        </button>
      </form>
    </AuthCard>
  );
}

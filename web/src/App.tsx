import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Layout } from "./components/Layout";
import { FormError } from "./components/FormError";
import { isUnauthorized } from "./errors";
import { LoginPage } from "./pages/LoginPage";
import { SignupPage } from "./pages/SignupPage";
import { navigate, useLocation } from "./router";
import { Routes } from "./routes";
import { SessionContext } from "./session";
import { trpc } from "./trpc";

export function App() {
  const { pathname } = useLocation();
  if (pathname === "/login") return <LoginPage />;
  if (pathname === "/signup") return <SignupPage />;
  return <SignedIn />;
}

/** Everything but /login and /signup needs a session: without one, the user is sent to /login. */
function SignedIn() {
  const me = useQuery({ queryKey: ["auth.me"], queryFn: () => trpc.auth.me.query(), retry: false });
  const signedOut = me.data === null || isUnauthorized(me.error);

  useEffect(() => {
    if (signedOut) navigate("/login", { replace: true });
  }, [signedOut]);

  if (me.isPending || signedOut) return <p className="splash muted">Loading…</p>;
  if (me.isError) {
    return (
      <div className="splash">
        <FormError error={me.error} />
        <button type="button" className="button" onClick={() => void me.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <SessionContext.Provider value={me.data}>
      <Layout>
        <Routes />
      </Layout>
    </SessionContext.Provider>
  );
}

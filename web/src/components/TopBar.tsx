import { useMutation, useQueryClient } from "@tanstack/react-query";
import { navigate } from "../router";
import { useMe } from "../session";
import { trpc } from "../trpc";
import { Brand } from "./Brand";

export function TopBar() {
  const me = useMe();
  const client = useQueryClient();
  const logOut = useMutation({
    mutationFn: () => trpc.auth.logOut.mutate(),
    onSettled: () => {
      client.clear();
      navigate("/login");
    },
  });
  return (
    <header className="topbar">
      <Brand />
      <div className="workspace-name" title="Workspace">
        {me.workspace.name}
      </div>
      <div className="topbar-user">
        <span className="user-email">{me.user.email}</span>
        <button type="button" className="button secondary small" onClick={() => logOut.mutate()} disabled={logOut.isPending}>
          Log out
        </button>
      </div>
    </header>
  );
}

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { navigate } from "../router";
import { useMe } from "../session";
import { trpc } from "../trpc";
import { Brand } from "./Brand";
import { ConfirmButton } from "./ConfirmButton";

export function TopBar() {
  const me = useMe();
  const client = useQueryClient();
  const leave = {
    onSettled: () => {
      client.clear();
      navigate("/login");
    },
  };
  const logOut = useMutation({ mutationFn: () => trpc.auth.logOut.mutate(), ...leave });
  const everywhere = useMutation({ mutationFn: () => trpc.auth.logOutEverywhere.mutate(), ...leave });
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
        <ConfirmButton
          question="Log out of every browser and device where you are logged in?"
          disabled={everywhere.isPending}
          onConfirm={() => everywhere.mutate()}
        >
          Log out everywhere
        </ConfirmButton>
      </div>
    </header>
  );
}

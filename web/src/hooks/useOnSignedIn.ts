import { useQueryClient } from "@tanstack/react-query";
import { navigate } from "../router";
import type { Me } from "../trpc";

/** After log-in or sign-up: forget the previous session's data, keep the new one, go to the overview. */
export function useOnSignedIn() {
  const client = useQueryClient();
  return (me: Me) => {
    client.clear();
    client.setQueryData(["auth.me"], me);
    navigate("/");
  };
}

import { createContext, useContext } from "react";
import type { Me } from "./trpc";

/** The signed-in user, their workspace and role: provided once the session is known. */
export const SessionContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error("useMe() is used outside a signed-in page");
  return me;
}

export const useIsAdmin = () => useMe().role === "admin";

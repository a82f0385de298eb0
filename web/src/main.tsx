import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { apiCode, isUnauthorized } from "./errors";
import "./styles.css";

/** A lost session anywhere signs the user out (the app then goes to /login). */
const onError = (error: unknown) => {
  if (isUnauthorized(error)) queryClient.setQueryData(["auth.me"], null);
};

const NO_RETRY = new Set(["unauthorized", "forbidden", "not_found", "invalid_request", "bad_request"]);

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: false,
      retry: (failures, error) => failures < 2 && !NO_RETRY.has(apiCode(error) ?? ""),
    },
  },
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

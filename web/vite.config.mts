import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dashboard: built into web/dist, which the backend serves; `vite` alone (npm run dev) proxies the API to :3000. */
const backend = process.env.TRACIRA_URL ?? "http://localhost:3000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/trpc": backend, "/api": backend } },
});

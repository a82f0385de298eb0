// @ts-check
/**
 * The backend's layers, top to bottom; a module may import its own layer and the ones below it.
 *   entry      main.ts, worker-main.ts, server.ts, runtime.ts, cli/   (the composition root)
 *   wiring     routes/ (REST route table), trpc/ (dashboard procedures)
 *   transport  http/
 *   services   services/          (request services)
 *   runtimes   evaluation/ > deliveries/, retention/, rollups/   (the workers and what they share with the gate)
 *   ground     lib/, db/, secrets/, projections/, media/, outbound/, ratelimit/, metrics/, config, logger
 * `npm run check:layers` (scripts/check-layers.mjs) runs these rules; CI runs it through a test.
 */
const SRC = "^backend/src/";
const ENTRY = `${SRC}(main|worker-main|server|runtime)\\.ts$|${SRC}cli/`;
const WIRING = `${SRC}(routes|trpc)/`;
const TRANSPORT = `${SRC}http/`;
const SERVICES = `${SRC}services/`;
const RUNTIMES = `${SRC}(evaluation|deliveries|retention|rollups)/`;
const GROUND = `${SRC}(lib|db|secrets|projections|media|outbound|ratelimit|metrics|generated)/|${SRC}(config|logger)\\.ts$`;

const upward = (name, comment, from, to) => ({ name, comment, severity: "error", from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle: modules that need each other belong in one module, or one of them lower.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    upward(
      "ground-stays-down",
      "The ground floor serves every layer and imports none of them.",
      GROUND,
      [ENTRY, WIRING, TRANSPORT, SERVICES, RUNTIMES].join("|"),
    ),
    upward(
      "deliveries-below-evaluation",
      "Evaluation writes to the outbox; deliveries never reach back into evaluation.",
      `${SRC}deliveries/`,
      `${SRC}evaluation/`,
    ),
    upward(
      "runtimes-below-services",
      "The workers run without the request services; what both need lives lower.",
      RUNTIMES,
      [ENTRY, WIRING, TRANSPORT, SERVICES].join("|"),
    ),
    upward(
      "services-below-transport",
      "Services hold the logic and know nothing of HTTP, tRPC or the route table.",
      SERVICES,
      [ENTRY, WIRING, TRANSPORT].join("|"),
    ),
    upward(
      "transport-below-wiring",
      "http/ takes the route table as an argument; it never imports routes or procedures.",
      TRANSPORT,
      [ENTRY, WIRING].join("|"),
    ),
    upward("wiring-below-entry", "Routes and procedures are wired by the composition root, not the other way round.", WIRING, ENTRY),
    upward(
      "routes-only-from-entry",
      "Only the composition root imports the route table.",
      `^backend/src/(?!routes/|server\\.ts$)`,
      `${SRC}routes/`,
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|generated)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};

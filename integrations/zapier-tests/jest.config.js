/**
 * The Zapier app's tests: they run the BUILT app (`integrations/zapier/dist`, loaded as Zapier loads it)
 * through zapier-platform-core's own appTester against the BUILT backend (`backend/dist`) on a real
 * Postgres. Build both first (`npx turbo run build`; `npm test` does).
 */
module.exports = {
  ...require("../../jest.preset"),
  displayName: "zapier",
  testMatch: ["<rootDir>/**/*.test.ts"],
  // The backend's template database (migrated once per run; each test file clones it).
  globalSetup: "<rootDir>/../../backend/test/global-setup.ts",
  testTimeout: 60_000,
};

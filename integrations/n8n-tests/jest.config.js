/**
 * The n8n package's tests: they run the BUILT package (`dist/`) through n8n's own engine against the
 * BUILT backend (`backend/dist`) on a real Postgres. `npm test` builds both first.
 */
module.exports = {
  ...require("../../jest.preset"),
  displayName: "n8n",
  testMatch: ["<rootDir>/**/*.test.ts"],
  // The backend's template database (migrated once per run; each test file clones it).
  globalSetup: "<rootDir>/../../backend/test/global-setup.ts",
  setupFilesAfterEnv: ["<rootDir>/setup.ts"],
  testTimeout: 60_000,
};

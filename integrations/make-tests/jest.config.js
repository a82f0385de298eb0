/**
 * The Make app's tests: its definition files against Make's JSON Schemas (`../shared/make-schemas`), its
 * requests (interpreted from the IML files) against the BUILT backend (`backend/dist`) on a real Postgres,
 * and the deploy script against a fake Make API. Build first (`npx turbo run build`; `npm test` does).
 */
module.exports = {
  ...require("../../jest.preset"),
  displayName: "make",
  testMatch: ["<rootDir>/**/*.test.ts"],
  // The backend's template database (migrated once per run; each test file clones it).
  globalSetup: "<rootDir>/../../backend/test/global-setup.ts",
  testTimeout: 60_000,
};

/** One jest run over every package, so `npm test` ends with one summary. */
module.exports = {
  projects: [
    "<rootDir>/shared",
    "<rootDir>/backend",
    "<rootDir>/integrations/n8n-tests",
    "<rootDir>/integrations/zapier-tests",
    "<rootDir>/integrations/make-tests",
  ],
  // Jest reads `testTimeout` from the root config only: the projects' own values apply when a project's
  // config is run alone. The server suites start real processes and databases.
  testTimeout: 60_000,
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
};

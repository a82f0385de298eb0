/** One jest run over every package, so `npm test` ends with one summary. */
module.exports = {
  projects: ["<rootDir>/shared", "<rootDir>/backend"],
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
};

module.exports = {
  ...require("../jest.preset"),
  displayName: "backend",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  globalSetup: "<rootDir>/test/global-setup.ts",
  testTimeout: 60_000,
};

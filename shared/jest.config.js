module.exports = { ...require("../jest.preset"), displayName: "shared", testMatch: ["<rootDir>/test/**/*.test.ts"] };

/** Shared jest settings for the TypeScript packages (SWC transpiles; `tsc -b` type-checks). */
module.exports = {
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // Generated Prisma code imports its siblings as `./x.js`; in tests those are the `.ts` sources.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
};

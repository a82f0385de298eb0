// The tests run local servers and the backend: the repository's rules, as for every other test folder.
import root from "../../eslint.config.mjs";

export default [
  ...root,
  { files: ["**/*.ts"], rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" } },
];

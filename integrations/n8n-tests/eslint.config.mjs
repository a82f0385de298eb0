// The tests are not node code: they run n8n's engine, local servers and the backend, so the
// community-node rules of ../n8n/eslint.config.mjs (no fs, process, imports…) are not theirs; the
// repository's rules are, as for every other test folder.
import root from "../../eslint.config.mjs";

export default [
  ...root,
  { files: ["**/*.ts"], rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" } },
];

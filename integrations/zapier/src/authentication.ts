import type { Authentication, Bundle, ZObject } from "zapier-platform-core";
import { api } from "./http";

const test = (z: ZObject, bundle: Bundle) => api<{ workspaceName: string }>(z, bundle, "/api/verify");

export default {
  type: "custom",
  fields: [
    {
      key: "baseUrl",
      label: "Tracira URL",
      type: "string",
      required: true,
      helpText: "The address of your Tracira server, such as `https://tracira.example.com`. It must be reachable from the internet.",
    },
    {
      key: "apiToken",
      label: "API Token",
      type: "password",
      required: true,
      helpText:
        "Your workspace token. It starts with `wh-` and is shown once when the workspace is created; an admin can rotate it in Tracira's settings.",
    },
  ],
  test,
  // Zapier runs `test` first; its answer ({ workspaceName }) is this function's `bundle.inputData`.
  connectionLabel: async (_z: ZObject, bundle: Bundle) => String(bundle.inputData.workspaceName ?? ""),
} satisfies Authentication;

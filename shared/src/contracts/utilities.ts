import { z } from "zod";

export const VerifyResponse = z.object({ workspaceName: z.string() }).meta({ id: "Verify" });

export const ModelPresetSchema = z.object({ label: z.string(), value: z.string() });
export const ModelsResponse = z.array(ModelPresetSchema);

export const HealthResponse = z.object({ ok: z.boolean(), database: z.enum(["ok", "down"]).optional() });

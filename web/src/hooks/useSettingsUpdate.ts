import { useMutation } from "@tanstack/react-query";
import { trpc, type UpdateSettingsInput } from "../trpc";
import { useInvalidate } from "./useInvalidate";

/** Saves some settings; the settings (and the overview, which reads the incident cost) are refetched. */
export function useSettingsUpdate() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: UpdateSettingsInput) => trpc.settings.update.mutate(body),
    onSuccess: () => invalidate("settings.", "analytics.", "auth.me"),
  });
}

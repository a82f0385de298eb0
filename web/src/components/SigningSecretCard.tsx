import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime } from "../format";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc } from "../trpc";
import { ConfirmButton } from "./ConfirmButton";
import { CopyButton } from "./CopyButton";
import { FormError } from "./FormError";

/** The workspace signing secret (callbacks, outbound webhook) for admins: shown on demand, rotated with an overlap. */
export function SigningSecretCard() {
  const [shown, setShown] = useState(false);
  const invalidate = useInvalidate();
  const secret = useQuery({ queryKey: ["settings.signingSecret"], queryFn: () => trpc.settings.signingSecret.query(), enabled: shown });
  const rotate = useMutation({
    mutationFn: () => trpc.settings.rotateSigningSecret.mutate(),
    onSuccess: () => {
      setShown(true);
      invalidate("settings.signingSecret");
    },
  });
  const value = rotate.data?.signingSecret ?? secret.data?.signingSecret;
  return (
    <section className="card">
      <h2>Signing secret</h2>
      <p className="muted">
        Callbacks and the outbound webhook are signed with it (X-Tracira-Signature); each hook subscription has its own.
      </p>
      {shown && value ? (
        <div className="token-row">
          <code className="token" data-testid="signing-secret">
            {value}
          </code>
          <CopyButton text={value} />
        </div>
      ) : (
        <button type="button" className="button small" onClick={() => setShown(true)}>
          Show
        </button>
      )}{" "}
      <ConfirmButton
        question="Rotate the signing secret? The current one keeps signing too for a while, so receivers can switch."
        disabled={rotate.isPending}
        onConfirm={() => rotate.mutate()}
      >
        Rotate
      </ConfirmButton>
      {rotate.data ? (
        <p className="muted small">The previous secret also signs until {formatDateTime(rotate.data.previousValidUntil)}.</p>
      ) : null}
      <FormError error={rotate.error ?? secret.error} />
    </section>
  );
}

import { useMutation, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { trpc } from "../trpc";
import { CopyButton } from "./CopyButton";
import { FormError } from "./FormError";
import { Loadable } from "./Loadable";
import { ConfirmButton } from "./ConfirmButton";

type Token = { webhookToken: string };

/** The workspace's webhook token in full, with copy and rotation. */
export function WebhookTokenCard({ token }: { token: UseQueryResult<Token> }) {
  const client = useQueryClient();
  const rotate = useMutation({
    mutationFn: () => trpc.settings.rotateToken.mutate(),
    onSuccess: (rotated) => {
      client.setQueryData<Token>(["settings.webhookToken"], { webhookToken: rotated.webhookToken });
      void client.invalidateQueries({ queryKey: ["settings.get"] });
    },
  });
  return (
    <section className="card">
      <h2>Webhook token</h2>
      <p className="muted">Workflows send it as “Authorization: Bearer …”. Keep it secret.</p>
      <Loadable query={token}>
        {(data) => (
          <div className="token-row">
            <code className="token" data-testid="webhook-token">
              {data.webhookToken}
            </code>
            <CopyButton text={data.webhookToken} />
            <ConfirmButton
              question="Rotate the webhook token? The current token stops working at once: every workflow must be updated with the new one."
              disabled={rotate.isPending}
              onConfirm={() => rotate.mutate()}
            >
              Rotate token
            </ConfirmButton>
          </div>
        )}
      </Loadable>
      {rotate.isSuccess ? (
        <p className="notice" role="status" data-testid="token-rotated">
          The token was rotated: the new token is shown above. The previous one no longer works.
        </p>
      ) : null}
      <FormError error={rotate.error} />
    </section>
  );
}

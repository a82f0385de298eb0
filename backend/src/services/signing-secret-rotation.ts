import type { RotateSigningSecretResponse } from "@tracira/shared";
import type { SigningSecrets } from "../deliveries/signing-secrets";

/** The workspace signing secret for admins: read it, or rotate it with an overlap in which both sign. */
export class SigningSecretRotationService {
  constructor(
    private readonly signingSecrets: SigningSecrets,
    private readonly overlapMs: number,
  ) {}

  async current(workspaceId: string): Promise<{ signingSecret: string }> {
    return { signingSecret: await this.signingSecrets.get(workspaceId) };
  }

  async rotate(workspaceId: string): Promise<RotateSigningSecretResponse> {
    const { signingSecret, previousValidUntil } = await this.signingSecrets.rotate(workspaceId, this.overlapMs);
    return { signingSecret, previousValidUntil: previousValidUntil.toISOString() };
  }
}

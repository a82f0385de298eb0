import { randomBytes, randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/database";
import type { Prisma } from "../generated/prisma/client";
import type { SecretBox } from "../secrets/secret-box";
import { secretContext } from "../secrets/contexts";
import { generateToken, hashToken, tokenDisplayPrefix } from "./tokens";

type Db = PrismaClient | Prisma.TransactionClient;

export interface CreatedWorkspace {
  id: string;
  name: string;
  /** The webhook token in clear: shown once, never stored. */
  token: string;
}

export class WorkspaceService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
  ) {}

  /** A workspace with its token (stored as a hash, and sealed for the dashboard) and its signing secret. */
  async create(name: string, token = generateToken(), client: Db = this.prisma): Promise<CreatedWorkspace> {
    const id = randomUUID();
    const signingSecret = `whsec_${randomBytes(32).toString("base64url")}`;
    const ws = await client.workspace.create({
      data: {
        id,
        name,
        tokenHash: hashToken(token),
        tokenPrefix: tokenDisplayPrefix(token),
        tokenEncrypted: this.secrets.seal(token, secretContext(id, "token")),
        signingSecretEncrypted: this.secrets.seal(signingSecret, secretContext(id, "signingSecret")),
      },
      select: { id: true, name: true },
    });
    return { ...ws, token };
  }

  /**
   * On a database with no workspace, creates the first one (with `bootstrapToken` when given, for
   * scripted setups). Returns it, or undefined when workspaces already exist.
   */
  async bootstrap(name: string, bootstrapToken?: string): Promise<CreatedWorkspace | undefined> {
    // Instances starting together on an empty database: the lock lets exactly one create it.
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(72707370)`;
      if ((await tx.workspace.count()) > 0) return undefined;
      return this.create(name, bootstrapToken, tx);
    });
  }

  async name(workspaceId: string): Promise<string | undefined> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { name: true } });
    return ws?.name;
  }
}

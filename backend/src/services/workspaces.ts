import type { PrismaClient } from "../db/database";
import type { Prisma } from "../generated/prisma/client";

type Db = PrismaClient | Prisma.TransactionClient;
import { generateToken, hashToken, tokenDisplayPrefix } from "./tokens";

export interface CreatedWorkspace {
  id: string;
  name: string;
  /** The webhook token in clear: shown once, never stored. */
  token: string;
}

export class WorkspaceService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(name: string, token = generateToken(), client: Db = this.prisma): Promise<CreatedWorkspace> {
    const ws = await client.workspace.create({
      data: { name, tokenHash: hashToken(token), tokenPrefix: tokenDisplayPrefix(token) },
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

import type { PrismaClient } from "../db/database";
import { generateToken, hashToken, tokenDisplayPrefix } from "./tokens";

export interface CreatedWorkspace {
  id: string;
  name: string;
  /** The webhook token in clear: shown once, never stored. */
  token: string;
}

export class WorkspaceService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(name: string, token = generateToken()): Promise<CreatedWorkspace> {
    const ws = await this.prisma.workspace.create({
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
    if ((await this.prisma.workspace.count()) > 0) return undefined;
    return this.create(name, bootstrapToken);
  }

  async name(workspaceId: string): Promise<string | undefined> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { name: true } });
    return ws?.name;
  }
}

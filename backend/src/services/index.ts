import type { Database } from "../db/database";
import { LogIngestService } from "./logs/ingest";
import { LogQueryService } from "./logs/query";
import { LogReviewService } from "./logs/review";
import { ProjectService } from "./projects";
import { TokenService } from "./tokens";
import { WorkspaceService } from "./workspaces";

export interface Services {
  tokens: TokenService;
  workspaces: WorkspaceService;
  projects: ProjectService;
  ingest: LogIngestService;
  logs: LogQueryService;
  review: LogReviewService;
}

export function createServices(db: Database): Services {
  return {
    tokens: new TokenService(db.sql),
    workspaces: new WorkspaceService(db.prisma),
    projects: new ProjectService(db.prisma),
    ingest: new LogIngestService(db.sql),
    logs: new LogQueryService(db.prisma),
    review: new LogReviewService(db.prisma),
  };
}

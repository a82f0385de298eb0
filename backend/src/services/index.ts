import type { Config } from "../config";
import type { Database } from "../db/database";
import { createEvaluation, type EvaluationRuntime } from "../evaluation";
import type { Logger } from "../logger";
import type { SecretBox } from "../secrets/secret-box";
import { LogIngestService } from "./logs/ingest";
import { LogQueryService } from "./logs/query";
import { LogReviewService } from "./logs/review";
import { ProjectService } from "./projects";
import { RuleEvaluationService } from "./rule-evaluation";
import { RuleService } from "./rules";
import { SettingsService } from "./settings";
import { TokenRotationService } from "./token-rotation";
import { TokenService } from "./tokens";
import { WorkspaceService } from "./workspaces";

export interface Services {
  tokens: TokenService;
  workspaces: WorkspaceService;
  projects: ProjectService;
  ingest: LogIngestService;
  logs: LogQueryService;
  review: LogReviewService;
  rules: RuleService;
  ruleEvaluation: RuleEvaluationService;
  settings: SettingsService;
  tokenRotation: TokenRotationService;
  evaluation: EvaluationRuntime;
}

export function createServices(db: Database, config: Config, logger: Logger, secrets: SecretBox): Services {
  const settings = new SettingsService(db.prisma, secrets);
  const evaluation = createEvaluation(db.sql, config, logger, (workspaceId) => settings.judgeSettings(workspaceId));
  const rules = new RuleService(db.prisma);
  return {
    tokens: new TokenService(db.sql),
    workspaces: new WorkspaceService(db.prisma, secrets),
    projects: new ProjectService(db.prisma),
    ingest: new LogIngestService(db.sql, evaluation.gate, () => evaluation.worker.notify()),
    logs: new LogQueryService(db.prisma),
    review: new LogReviewService(db.prisma),
    rules,
    ruleEvaluation: new RuleEvaluationService(rules, evaluation.engine),
    settings,
    tokenRotation: new TokenRotationService(db.prisma, secrets),
    evaluation,
  };
}

import type { MediaUrlSigner } from "../media/signed-url";
import type { AccountService } from "./accounts/accounts";
import type { SessionService } from "./accounts/sessions";
import type { AnalyticsService } from "./analytics";
import type { AttachmentService } from "./attachments";
import type { DeliveryQueryService } from "./deliveries";
import type { HookService } from "./hooks";
import type { LogIngestService } from "./logs/ingest";
import type { LogQueryService } from "./logs/query";
import type { LogReviewService } from "./logs/review";
import type { ProjectService } from "./projects";
import type { RuleEvaluationService } from "./rule-evaluation";
import type { RuleService } from "./rules";
import type { SettingsService } from "./settings";
import type { TokenRotationService } from "./token-rotation";
import type { TokenService } from "./tokens";
import type { WorkspaceService } from "./workspaces";
import type { SigningSecretRotationService } from "./signing-secret-rotation";
import type { TraceQueryService } from "./traces/query";
import type { TraceSearchService } from "./traces/search";
import type { SpanAppendService } from "./traces/append";
import type { StepService } from "./traces/steps";
import type { EvaluationService } from "./traces/evaluations";
import type { OtlpIngestService } from "./traces/otlp/ingest";
import type { LangSmithIngestService } from "./traces/langsmith/ingest";
import type { SessionAnalysisService } from "./sessions/analysis";
import type { SessionExportService } from "./sessions/csv-export";
import type { GenerationQueryService } from "./sessions/generations";
import type { SessionMetricsService } from "./sessions/metrics";
import type { SessionQueryService } from "./sessions/query";

/** What requests reach (REST routes and tRPC procedures alike); the background runtimes stay in `Runtime`. */
export interface RequestServices {
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
  signingSecretRotation: SigningSecretRotationService;
  /** The trace API: a log as a trace root with its spans and evaluations. */
  traces: TraceQueryService;
  /** Trace search: flat parameters and typed filters, keyset pages. */
  traceSearch: TraceSearchService;
  spans: SpanAppendService;
  /** Steps from no-code platforms, one per request; the final one ends a run held for it. */
  steps: StepService;
  evaluations: EvaluationService;
  /** The session API: a project's traces grouped by sessionId, their events, metrics, analysis, CSV export and LLM generations. */
  sessionQueries: SessionQueryService;
  sessionMetrics: SessionMetricsService;
  sessionAnalysis: SessionAnalysisService;
  sessionExport: SessionExportService;
  generations: GenerationQueryService;
  /** OTLP/HTTP trace export: traces as logs. */
  otlp: OtlpIngestService;
  /** The LangSmith run API: LangChain runs as traces. */
  langsmith: LangSmithIngestService;
  /** Attachments: stored during ingestion (local folder), served through signed links. */
  attachments: AttachmentService;
  mediaUrls: MediaUrlSigner;
  deliveries: DeliveryQueryService;
  hooks: HookService;
  /** Dashboard users: sign-up, log-in, invites, members; and their sessions. */
  accounts: AccountService;
  sessions: SessionService;
  analytics: AnalyticsService;
}

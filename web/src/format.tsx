/** Every formatting helper of the dashboard: dates, numbers, money, text and the status badges. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const money = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat();

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "2026-11-22" → "Nov 22" (a calendar day, read as UTC so it does not shift). */
export function formatDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : shortDate.format(date);
}

export const formatNumber = (value: number) => integer.format(value);

export const formatMoney = (usd: number | null | undefined) => (usd == null ? "—" : money.format(usd));

/** A ratio 0..1 as a percentage. */
export const formatPercent = (ratio: number | null | undefined) =>
  ratio == null ? "—" : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0)}%`;

export const formatConfidence = (score: number | null | undefined) => (score == null ? "—" : score.toFixed(2));

/** A duration: "840 ms", "2.40 s", "3 min 05 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function excerpt(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** JSON text pretty-printed; anything else unchanged. */
export function prettyJson(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}

/** Any value (input parts, metadata) as readable text. */
export const displayValue = (value: unknown) => (typeof value === "string" ? prettyJson(value) : JSON.stringify(value, null, 2));

type Tone = "pass" | "flagged" | "error" | "pending" | "neutral";

function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONE: Record<string, Tone> = { pass: "pass", flagged: "flagged", error: "error", pending: "pending" };

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? "neutral"}>{status}</Badge>;
}

export function DecisionBadge({ decision }: { decision: string | null }) {
  if (!decision) return <span className="muted">—</span>;
  return <Badge tone={decision === "approved" ? "pass" : "error"}>{decision}</Badge>;
}

const OUTCOME_TONE: Record<string, Tone> = { passed: "pass", triggered: "flagged", error: "error" };

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={OUTCOME_TONE[outcome] ?? "neutral"}>{outcome}</Badge>;
}

const DELIVERY_TONE: Record<string, Tone> = { succeeded: "pass", failed: "error", pending: "pending", cancelled: "neutral" };

export function DeliveryBadge({ status }: { status: string }) {
  return <Badge tone={DELIVERY_TONE[status] ?? "neutral"}>{status}</Badge>;
}

const EVALUATION_TONE: Record<string, Tone> = {
  pass: "pass",
  fail: "flagged",
  flagged: "flagged",
  error: "error",
  approved: "pass",
  rejected: "error",
};

/** An evaluation's label (`pass`, `fail`, `error`, a review's `approved`/`rejected`, or a caller's own); none is a dash. */
export function EvaluationLabelBadge({ label }: { label: string | null }) {
  if (!label) return <span className="muted">—</span>;
  return <Badge tone={EVALUATION_TONE[label.toLowerCase()] ?? "neutral"}>{label}</Badge>;
}

import type { ReactNode } from "react";

export function KpiCard(props: { label: string; value: string; hint?: ReactNode; tone?: "flagged" | "error" }) {
  return (
    <div className={`kpi-card${props.tone ? ` kpi-${props.tone}` : ""}`} data-testid="kpi">
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value}</div>
      {props.hint ? <div className="kpi-hint">{props.hint}</div> : null}
    </div>
  );
}

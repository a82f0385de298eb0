import { DecisionBadge, formatDateTime } from "../format";
import type { LogDetail } from "../trpc";
import { DecisionButtons } from "./DecisionButtons";
import { Facts } from "./Facts";

/** The human decision on a log, and the buttons to make or change it. */
export function DecisionBlock({ log }: { log: LogDetail }) {
  return (
    <div className="decision-block" data-testid="decision">
      <Facts
        items={[
          ["Decision", <DecisionBadge key="d" decision={log.humanDecision} />],
          ["Decided by", log.decidedBy],
          ["Source", log.decisionSource],
          ["Decided at", log.decidedAt ? formatDateTime(log.decidedAt) : null],
        ]}
      />
      <DecisionButtons id={log.id} />
    </div>
  );
}

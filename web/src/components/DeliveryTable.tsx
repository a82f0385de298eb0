import { DeliveryBadge, formatDateTime } from "../format";
import { Link } from "../router";
import type { Delivery } from "../trpc";

function Attempts({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts.length === 0) return <span className="muted">none yet</span>;
  return (
    <details>
      <summary>{delivery.attemptCount} attempt(s)</summary>
      <ul className="attempts">
        {delivery.attempts.map((attempt) => (
          <li key={attempt.attemptNumber}>
            #{attempt.attemptNumber} · {formatDateTime(attempt.createdAt)} · {attempt.responseStatus ?? "no response"}
            {attempt.durationMs != null ? ` · ${attempt.durationMs} ms` : ""}
            {attempt.error ? <span className="error-text"> · {attempt.error}</span> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function DeliveryTable({ deliveries, showLog = false }: { deliveries: Delivery[]; showLog?: boolean }) {
  if (deliveries.length === 0) return <p className="muted">No deliveries.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="deliveries">
        <thead>
          <tr>
            <th>Created</th>
            <th>Kind</th>
            <th>Event</th>
            <th>Target</th>
            <th>Status</th>
            <th>Attempts</th>
            {showLog ? <th>Log</th> : null}
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td className="nowrap">{formatDateTime(delivery.createdAt)}</td>
              <td>{delivery.kind}</td>
              <td>
                <code>{delivery.event}</code>
              </td>
              <td className="break">{delivery.target}</td>
              <td>
                <DeliveryBadge status={delivery.status} />
                {delivery.lastError ? <div className="error-text small">{delivery.lastError}</div> : null}
              </td>
              <td>
                <Attempts delivery={delivery} />
              </td>
              {showLog ? <td>{delivery.logId ? <Link to={`/logs/${encodeURIComponent(delivery.logId)}`}>Open</Link> : "—"}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

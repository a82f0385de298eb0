import { formatNumber } from "../format";

export function Pagination(props: { page: number; limit: number; total: number; onPage: (page: number) => void }) {
  const { page, limit, total } = props;
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);
  return (
    <div className="pagination">
      <span className="muted">
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(total)}
      </span>
      <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" className="button secondary small" disabled={page >= pages} onClick={() => props.onPage(page + 1)}>
        Next
      </button>
    </div>
  );
}

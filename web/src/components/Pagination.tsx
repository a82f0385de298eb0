import { formatNumber } from "../format";

/**
 * `exact` false: `total` is a lower bound (the list gave up counting, see `totalExact`), so the page count
 * is unknown and `hasNext` says whether a next page exists.
 */
export function Pagination(props: {
  page: number;
  limit: number;
  total: number;
  exact?: boolean;
  hasNext?: boolean;
  onPage: (page: number) => void;
}) {
  const { page, limit, total, exact = true } = props;
  const pages = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);
  const hasNext = exact ? page < pages : (props.hasNext ?? true);
  return (
    <div className="pagination">
      <span className="muted">
        {formatNumber(first)}–{formatNumber(last)} of {formatNumber(total)}
        {exact ? "" : "+"}
      </span>
      <button type="button" className="button secondary small" disabled={page <= 1} onClick={() => props.onPage(page - 1)}>
        Previous
      </button>
      <span>{exact ? `Page ${page} of ${pages}` : `Page ${page}`}</span>
      <button type="button" className="button secondary small" disabled={!hasNext} onClick={() => props.onPage(page + 1)}>
        Next
      </button>
    </div>
  );
}

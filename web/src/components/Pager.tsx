/** Previous / next for a paginated list; page numbers are 1-based. */
export function Pager({
  page,
  hasNext,
  onPage,
  count,
  label = 'Pages',
}: {
  page: number;
  hasNext: boolean;
  onPage: (p: number) => void;
  count?: number;
  label?: string;
}) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page}
        {count !== undefined && ` · ${count.toLocaleString()} movies`}
      </span>
      <button type="button" disabled={!hasNext} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}

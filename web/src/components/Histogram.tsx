/** A movie's ratings by half star, as bars; the counts in each bar's label. */
export function Histogram({ histogram }: { histogram: Record<string, number> }) {
  const keys = Object.keys(histogram).sort((a, b) => Number(b) - Number(a));
  const max = Math.max(1, ...keys.map((k) => histogram[k]));
  return (
    <ul className="histogram" aria-label="Ratings by stars">
      {keys.map((k) => (
        <li key={k}>
          <span className="hist-label">{k}</span>
          <meter className="hist-bar" min={0} max={max} value={histogram[k]} aria-label={`${k} stars: ${histogram[k]}`} />
          <span className="hist-count">{histogram[k]}</span>
        </li>
      ))}
    </ul>
  );
}

// Rate with half stars: ten buttons, two to a star (the left half is the
// half star), each labelled with its value for screen readers.
import { useState } from 'react';

export function Stars({ value, onRate, disabled }: { value: number | null; onRate: (v: number) => void; disabled?: boolean }) {
  const [hover, setHover] = useState<number | null>(null);
  const shown = hover ?? value ?? 0;
  return (
    <div className="stars" role="group" aria-label="Your rating" onMouseLeave={() => setHover(null)}>
      {[1, 2, 3, 4, 5].map((star) => (
        <span key={star} className="star">
          {[star - 0.5, star].map((v) => (
            <button
              key={v}
              type="button"
              className={`half ${v % 1 ? 'left' : 'right'} ${shown >= v ? 'on' : ''}`}
              aria-label={`${v} star${v === 1 ? '' : 's'}`}
              aria-pressed={value === v}
              disabled={disabled}
              onMouseEnter={() => setHover(v)}
              onFocus={() => setHover(v)}
              onBlur={() => setHover(null)}
              onClick={() => onRate(v)}
            />
          ))}
        </span>
      ))}
      <span className="stars-value" aria-live="polite">
        {value ? `${value.toFixed(1)} / 5` : 'Not rated'}
      </span>
    </div>
  );
}

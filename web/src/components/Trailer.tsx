// A YouTube trailer as a facade: a button until someone clicks it, then
// YouTube's privacy-enhanced player (www.youtube-nocookie.com, the one
// frame origin the CSP allows).  Nothing is asked of YouTube before the
// click: no thumbnail, no script.
import { useState } from 'react';

export function Trailer({ videoKey, title }: { videoKey: string; title: string }) {
  const [playing, setPlaying] = useState(false);
  return (
    <section className="trailer" aria-labelledby="trailer-h">
      <h2 id="trailer-h">Trailer</h2>
      <div className="trailer-box">
        {playing ? (
          <iframe
            src={`https://www.youtube-nocookie.com/embed/${encodeURIComponent(videoKey)}?autoplay=1&rel=0`}
            title={`Trailer: ${title}`}
            allow="autoplay; encrypted-media; picture-in-picture; fullscreen"
            allowFullScreen
            referrerPolicy="strict-origin-when-cross-origin"
          />
        ) : (
          <button type="button" className="trailer-facade" onClick={() => setPlaying(true)}>
            <span className="play" aria-hidden="true">
              ▶
            </span>
            <span>Play the trailer</span>
            <span className="hint">from YouTube (loads when you click)</span>
          </button>
        )}
      </div>
    </section>
  );
}

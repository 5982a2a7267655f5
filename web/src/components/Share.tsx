// Share buttons (POST /api/shares/): the API makes a short link, /s/CODE/,
// a page with Open Graph and Twitter Card tags, and ready links for the
// usual networks; they are plain links, so nothing reaches those networks
// until one is followed.  Signed-in members only (the API's rule).
import { useState } from 'react';
import { api } from '../api';
import { ErrorNote } from './Status';

interface Share {
  url: string;
  code: string;
  title: string;
  intents: { x: string; facebook: string; whatsapp: string; telegram: string; email: string };
}

const NETWORKS: [keyof Share['intents'], string][] = [
  ['x', 'X'],
  ['facebook', 'Facebook'],
  ['whatsapp', 'WhatsApp'],
  ['telegram', 'Telegram'],
  ['email', 'Email'],
];

export function ShareButtons({ kind, id, what }: { kind: 'movie' | 'review' | 'list'; id: number; what: string }) {
  const [share, setShare] = useState<Share | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [copied, setCopied] = useState('');
  const make = async () => {
    setError(null);
    try {
      setShare(await api<Share>('/api/shares/', { json: { kind, id } }));
    } catch (e) {
      setError(e as Error);
    }
  };
  const copy = async () => {
    if (!share) return;
    try {
      await navigator.clipboard.writeText(share.url);
      setCopied('Link copied.');
    } catch {
      setCopied('Select the link to copy it.');
    }
  };
  return (
    <div className="share">
      {!share ? (
        <button type="button" className="secondary small" onClick={make}>
          Share {what}
        </button>
      ) : (
        <>
          <label>
            Link to share
            <input readOnly value={share.url} onFocus={(e) => e.target.select()} />
          </label>
          <div className="action-buttons">
            <button type="button" className="secondary small" onClick={copy}>
              Copy link
            </button>
            {NETWORKS.map(([k, name]) => (
              <a
                key={k}
                className="button secondary small"
                href={share.intents[k]}
                target={k === 'email' ? undefined : '_blank'}
                rel="noopener noreferrer"
                aria-label={`Share on ${name}`}
              >
                {name}
              </a>
            ))}
          </div>
          {copied && (
            <p className="hint" role="status">
              {copied}
            </p>
          )}
        </>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

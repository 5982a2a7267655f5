import { useState } from 'react';

/** A decorative backdrop image, left out when it fails to load (TMDb unreachable, say). */
export function Backdrop({ src, className }: { src: string; className?: string }) {
  const [failed, setFailed] = useState<string | null>(null);
  if (failed === src) return null;
  return <img className={className} src={src} alt="" onError={() => setFailed(src)} />;
}

import { useEffect, useState } from 'react';
import type { Breaker } from '../types.ts';
import { duration } from '../format.ts';

/** A breaker's state and, while OPEN, a countdown to half-open. */
export function BreakerBadge({ breaker }: { breaker: Breaker }) {
  const [, tick] = useState(0);
  useEffect(() => {
    if (breaker.state !== 'OPEN') return;
    const timer = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, [breaker.state]);
  const left =
    breaker.state === 'OPEN' && breaker.half_open_at
      ? Math.max(0, (new Date(breaker.half_open_at).getTime() - Date.now()) / 1000)
      : null;
  return (
    <span className={`badge breaker-${breaker.state.toLowerCase()}`}>
      {breaker.state}
      {left !== null ? ` · half-open in ${duration(left)}` : ''}
    </span>
  );
}

import { mulberry32 } from '../data/prng.ts';
import type { FaultRule } from '../config.ts';

interface ActiveRule {
  id: number;
  rule: FaultRule;
  test: (path: string) => boolean;
  remaining: number | null;
  applied: number;
}

/** `re:` or `^` prefix = regular expression; otherwise a glob where `*` stays inside one segment and `**` spans segments. */
export function compilePathPattern(pattern: string): (path: string) => boolean {
  if (pattern.startsWith('re:') || pattern.startsWith('^')) {
    const re = new RegExp(pattern.startsWith('re:') ? pattern.slice(3) : pattern);
    return (path) => re.test(path);
  }
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${src}$`);
  return (path) => re.test(path);
}

export class FaultEngine {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private readonly random: () => number;

  constructor(seed: number) {
    // Seeded so probabilistic faults hit the same requests on every run.
    this.random = mulberry32(seed ^ 0x5eed);
  }

  add(rule: FaultRule): number {
    const id = this.nextId++;
    this.rules.push({
      id,
      rule,
      test: compilePathPattern(rule.path),
      remaining: rule.count ?? null,
      applied: 0,
    });
    return id;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRule & { id: number; remaining: number | null; applied: number }> {
    return this.rules.map((r) => ({ ...r.rule, id: r.id, remaining: r.remaining, applied: r.applied }));
  }

  /** First rule that matches and fires (count and probability consumed here), or null. */
  match(method: string, path: string): FaultRule | null {
    for (const r of this.rules) {
      if (r.remaining === 0) continue;
      if (r.rule.method && r.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!r.test(path)) continue;
      if (r.rule.probability !== undefined && this.random() >= r.rule.probability) continue;
      if (r.remaining !== null) r.remaining--;
      r.applied++;
      return r.rule;
    }
    return null;
  }
}

import { makeRng } from '../data/prng.ts';
import { MINUTE } from '../data/time.ts';
import type { CommitRec } from './model.ts';

// Shapes recorded GitHub data has that a naive generator misses, each from its own random
// stream so adding them changed no other seeded value.

const sec = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * Rebased or squashed commits: about a fifth get a committer date later than their author date
 * (re-created when the branch was rebased before merging), and some a different committer.
 */
export function rebaseSome(
  seed: number,
  j: number,
  commits: CommitRec[],
  end: number,
  otherUser: () => number,
): void {
  const r = makeRng(seed, 34, j);
  if (!r.chance(0.35)) return;
  const at = sec(
    Math.max(...commits.map((c) => c.date)) +
      MINUTE +
      r.next() * Math.max(0, end - MINUTE - Math.max(...commits.map((c) => c.date))),
  );
  for (const c of commits) {
    if (!r.chance(0.6)) continue;
    c.committed = Math.max(c.date, Math.min(at, end - 1000));
    if (r.chance(0.5)) c.committer = otherUser();
  }
}

/**
 * Stacked branches: some pull requests also list the first commits of the previous pull request
 * of their repository (its branch is this one's base), so one commit belongs to two PRs.
 */
export function sharesCommits(seed: number, j: number): number {
  const r = makeRng(seed, 35, j);
  return r.chance(0.2) ? r.int(1, 2) : 0;
}

/** Text pasted from terminals: U+0000 and other control characters in a few bodies. */
export function oddBody(seed: number, j: number, body: string | null): string | null {
  const r = makeRng(seed, 36, j);
  if (body === null || !r.chance(0.08)) return body;
  return `${body}\n\n\`\`\`\n${r.pick(['core dumped\u0000', '\u001b[1mbold\u001b[0m', 'bell\u0007 and\u0000 nul'])}\n\`\`\``;
}

/** Which repository of a seed was renamed after it was configured: the last one, when there are two or more. */
export function renamedRepoIndex(repoCount: number): number | null {
  return repoCount >= 2 ? repoCount - 1 : null;
}

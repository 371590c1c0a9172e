import { makeRng } from '../data/prng.ts';
import { DAY } from '../data/time.ts';

/**
 * What an issue carries besides the core fields, drawn from its own random stream (so adding it
 * changed no existing seeded value): sprints, parent, components, fix versions, an unrelated
 * number in a neighbouring custom field, and the odd summary real sites have — U+0000 and other
 * control characters pasted from terminals and Word (recorded Jira Cloud responses carry them).
 */
export interface SprintRec {
  id: number;
  name: string;
  state: 'closed' | 'active' | 'future';
  startDate: number;
  endDate: number;
}

export interface IssueExtras {
  sprints: SprintRec[];
  /** Index of the parent issue (same project, created earlier), or null. */
  parent: number | null;
  components: string[];
  fixVersions: string[];
  businessValue: number | null;
  /** Appended to the summary: control characters, U+0000 included. */
  summarySuffix: string;
  descriptionControl: boolean;
}

const COMPONENTS = ['Backend', 'Frontend', 'API', 'Mobile', 'Billing'];
const VERSIONS = ['1.0', '1.1', '2.0', '2.1'];
const ODD_SUFFIXES = [
  '\u0000',
  ' (pasted)\u0000\u0000',
  ' \u001b[31merror\u001b[0m',
  '\u0007 ring',
  '\u000b\u000c tabs',
];
const SPRINT_DAYS = 14;

export function issueExtras(
  seed: number,
  i: number,
  projectCount: number,
  projectKey: string,
  created: number,
  epoch: number,
): IssueExtras {
  const r = makeRng(seed, 102, i);
  const sprints: SprintRec[] = [];
  if (r.chance(0.6)) {
    // The sprint the issue was created in, and sometimes the one it rolled over into.
    const n = Math.floor((created - (epoch - 730 * DAY)) / (SPRINT_DAYS * DAY));
    const count = r.chance(0.25) ? 2 : 1;
    for (let k = 0; k < count; k++) {
      const startDate = epoch - 730 * DAY + (n + k) * SPRINT_DAYS * DAY;
      const endDate = startDate + SPRINT_DAYS * DAY;
      sprints.push({
        id: 1000 + n + k,
        name: `${projectKey} Sprint ${n + k + 1}`,
        state: endDate < epoch ? 'closed' : startDate <= epoch ? 'active' : 'future',
        startDate,
        endDate,
      });
    }
  }
  const back = r.int(1, 5) * projectCount;
  const parent = r.chance(0.3) && i - back >= 0 ? i - back : null;
  const components = r.chance(0.5) ? [r.pick(COMPONENTS)] : [];
  const fixVersions = r.chance(0.4) ? [r.pick(VERSIONS)] : [];
  const businessValue = r.chance(0.5) ? r.int(1, 100) : null;
  const summarySuffix = r.chance(0.05) ? r.pick(ODD_SUFFIXES) : '';
  return {
    sprints,
    parent,
    components,
    fixVersions,
    businessValue,
    summarySuffix,
    descriptionControl: r.chance(0.05),
  };
}

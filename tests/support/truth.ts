// What the simulator says it holds (GET /_sim/truth/summary): the one definition is the simulator's own.
export type { TruthSummary as Truth } from '../../services/simulator/src/control/truth.ts';

/** consensus/sim — deterministic multi-node SCP simulator (virtual time, seeded faults, invariant checks). */
export { EventQueue } from "./eventQueue.js";
export { Prng } from "./prng.js";
export {
  BYZANTINE_BEHAVIORS,
  type ByzantineBehavior,
  type Role,
  type SimConfig,
  type SimResult,
  Simulation,
  simulate,
  type Topology,
} from "./simulator.js";
export { runSeeds, type SimSummary, summarize } from "./summary.js";

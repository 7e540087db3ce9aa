/**
 * The ZkVM fuzz suite at ~20× the scale of fuzz.test.ts (~200k cases, `npm run test:slow`), plus
 * resource-exhaustion programs at the full 64 KB transaction size.
 */
import { defineAdversarialTests, defineFuzzSuite, defineResourceTests, type FuzzScale } from "./fuzz.test.js";

const SLOW_SCALE: FuzzScale = {
  randomBytes: 30_000,
  structuredRandom: 30_000,
  mutatedTx: 40_000,
  mutatedProgram: 30_000,
  instructionEdits: 30_000,
  randomPrograms: 50_000,
  verifyRandomPrograms: 600,
  verifyMutated: 200,
  maxCaseMs: 2000,
};

defineFuzzSuite(SLOW_SCALE, "~200k cases");
defineAdversarialTests();
defineResourceTests(5000);

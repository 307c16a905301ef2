/**
 * The adversarial suite: hostile programs (a closed list) scored through the eval CLI by a
 * scripted endpoint, in every isolation mode the kit allows.
 *
 * @module
 */
export { type Attack, ATTACK_DESCRIPTIONS, ATTACKS, hostileProgram } from "./programs.ts";
export {
  runAdversarialSuite,
  SUITE_MODES,
  type SuiteCell,
  type SuiteMode,
  suiteTable,
} from "./run_suite.ts";

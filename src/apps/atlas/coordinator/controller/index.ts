export { DEFAULT_DEAD_BLOCK_PARAMS, type DeadBlockParams } from "./dead-block-detector.ts"
export {
  type ControllerDecision,
  createFrontierController,
  DEFAULT_FRONTIER_CONTROLLER_OPTIONS,
  type FrontierController,
  type FrontierControllerOptions,
  type TickInputs,
} from "./frontier-controller.ts"
export { addFrontierSample, createFrontierSamples, fitFrontier } from "./frontier-estimate.ts"
export {
  applyGapProbe,
  createGapSearch,
  type GapProbe,
  type GapSearchOptions,
  type GapSearchResult,
  type GapSearchState,
  nextGapProbe,
} from "./gap-search.ts"
export { computeLagQuantile, createLagHistogram, observeLag } from "./lag-histogram.ts"
export { DEFAULT_LEAD_PARAMS, type LeadParams, stepLead } from "./lead-controller.ts"

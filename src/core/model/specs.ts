// The pre-specified inputs per structure type and how a type's inputs are chosen (shared by train.ts and lopo.ts).
/**
 * The pre-specified default per type, the seed study's kind of inputs, in priority order:
 * - uptake and body size (SUV × activity / weight is the concentration);
 * - the partial volume of small structures;
 * - for kidneys, the tumour sink and eGFR.
 * Only as many are used as 1 per 3 patients allows.
 */
export const PRESPECIFIED: Record<string, string[]> = {
  kidney: ['log_suv_mean', 'log_weight_kg', 'log_total_tumour_volume_ml', 'log_egfr_ml_min_1_73m2'],
  parotid: ['log_suv_mean', 'log_weight_kg', 'log_volume_ml'],
  submandibular: ['log_suv_mean', 'log_weight_kg', 'log_volume_ml'],
  lacrimal: ['log_suv_mean', 'log_weight_kg', 'log_volume_ml'],
  tumour: ['log_suv_mean', 'log_weight_kg', 'log_volume_ml'],
  all: ['log_suv_mean', 'log_weight_kg', 'log_volume_ml'],
};
/** How a type's inputs are chosen: none (population value), the pre-specified default, or forward selection. */
export type InputSpec = 'constant' | 'prespecified' | 'automatic';

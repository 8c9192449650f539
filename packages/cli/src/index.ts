/**
 * @fracture/cli: the `fracture` command and the workflows behind it, which library users can call
 * directly: the quick-start demo, training a model as the study did, evaluation with bootstrap
 * intervals and plots, prediction and Grad-CAM explanation of image files, probability ensembles,
 * the end-to-end reproduction of the study with its report, and a local HTTP service with a web page.
 *
 * @packageDocumentation
 */

export { createProgram, collectImageFiles } from './program';
export type { ProgramSettings } from './program';
export { runDemo, writeGallery, galleryItems, DEMO_METRIC_COLUMNS } from './demo';
export type { DemoOptions, DemoResult } from './demo';
export { runTraining, prepareSplit, scanAndSplit, toSplitProtocol } from './train-run';
export { acquireRunLock, RunLockedError, LOCK_FILE } from './run-lock';
export type { RunLock, RunLockHolder } from './run-lock';
export type { UnreadableImage } from './unreadable-report';
export { inferenceBatchSize, WASM_INFERENCE_BATCH, WASM_MICRO_BATCH } from './wasm-batch-sizes';
export type { CliProtocol, TrainRunOptions, TrainRunResult } from './train-run';
export { runEvaluation, predictItems, writeEvaluation } from './evaluate-run';
export type { EvaluateRunOptions, EvaluateRunResult, Predictions } from './evaluate-run';
export { runEnsemble } from './ensemble-run';
export type { EnsembleRunOptions, EnsembleRunResult } from './ensemble-run';
export { reproduce, PAPER_RESULTS } from './reproduce';
export { exportCheckpointModel } from './checkpoint-model';
export type { CheckpointModel } from './checkpoint-model';
export { parsePerModelFiles, parsePerModelValue } from './per-model-budget';
export { formatCommandLine } from './command-line';
export type { PerModelValue } from './per-model-budget';
export type { ModelRunResult, ReproduceOptions, ReproduceResult } from './reproduce';
export { createPredictor, predictorFor } from './predictor';
export { measureLocalisation } from './localisation-run';
export type { LocalisationRunOptions, LocalisationRunResult, LocalisationSummary } from './localisation-run';
export { evaluateSubgroups } from './subgroup-evaluation';
export type { SubgroupOptions, SubgroupRow } from './subgroup-evaluation';
export type { ExplainMethod, Explanation, HeatmapOptions, Prediction, Predictor } from './predictor';
export { startServer } from './server';
export { createPredictionPool, defaultPoolSize, PoolJobError } from './server-workers';
export type { PredictionPool, PredictionPoolOptions } from './server-workers';
export type { RunningServer, ServeOptions } from './server';
export { renderWebPage } from './web-page';
export { loadTrainedModel, readTrainedModelInfo, saveTrainedModel, defaultPreparation } from './trained-model';
export type { TrainedModelInfo } from './trained-model';
export { studyAugmentation } from './study-augmentation';
export { renderHtml, renderMarkdown } from './report-document';
export type { ReportBlock } from './report-document';
export { createOutput } from './output';
export { useEngine } from './engine';
export type { CommandOutput, OutputStreams } from './output';

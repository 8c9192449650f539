/** Options of {@link fileSystemIO}. */
export interface FileSystemIOOptions {
  /**
   * Extra JSON-serialisable metadata merged into `userDefinedMetadata` of `model.json` on save
   * (over what the model itself carries); read back with `model.getUserDefinedMetadata()`.
   */
  metadata?: Record<string, unknown>;
}

/** Options of `saveModel`. */
export interface SaveModelOptions extends FileSystemIOOptions {
  /** Also save the optimizer state (tfjs `includeOptimizer`). Default false. */
  includeOptimizer?: boolean;
}

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** Fail when the saved weights and the topology disagree (tfjs `strict`). Default true. */
  strict?: boolean;
}

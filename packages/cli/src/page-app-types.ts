/** What the page needs of a trained model's `fracture-model.json` to prepare inputs as in training. */
export interface PageModelInfo {
  modelName: string;
  inputSize: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
  classNames: string[];
  gradCamLayer: string;
  positiveClass: string;
  /** A shipped model's operating point: the positive class when its probability reaches it (absent: the arg-max). */
  threshold?: number;
}

/** A prediction made in the page, shaped like the server's `POST /predict` answer. */
export interface InBrowserPrediction {
  predictedClass: string;
  classIndex: number;
  probability: number;
  probabilities: Record<string, number>;
  /** The Grad-CAM overlay as a PNG data URL. */
  overlayUrl: string;
  /** The TensorFlow.js backend that ran (`wasm`). */
  backend: string;
}

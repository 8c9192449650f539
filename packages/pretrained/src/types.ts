import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { DecodedImage } from '@fracture/preprocess';

/** A point estimate with its 95 % interval. */
export interface Estimate {
  estimate: number;
  lower: number;
  upper: number;
}

/** Test metrics of one subgroup (`null`: the subgroup has no image of the class the metric needs). */
export interface CardSubgroup {
  group: string;
  n: number;
  positives: number;
  auc: Estimate | null;
  sensitivity: Estimate | null;
  specificity: Estimate | null;
}

/** What a shipped model is, how it was made and how well it did on data it never saw. Shipped as `card.json`. */
export interface PretrainedModelCard {
  name: string;
  /** One line for listings. */
  summary: string;
  recommended: boolean;
  architecture: string;
  inputSize: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
  classNames: string[];
  positiveClass: string;
  /** Default Grad-CAM layer (torchvision name). */
  gradCamLayer: string;
  /** Operating point: "fractured" when its (calibrated) probability is at least `value`. */
  threshold: {
    value: number;
    rule: string;
    validation: { sensitivity: number; specificity: number };
  };
  /** Temperature folded into the head's weights, so the shipped probabilities are already calibrated. */
  temperature: number;
  weights: { dtype: 'float16' | 'float32'; bytes: number; sha256: string; float16Check?: string };
  training: {
    data: { name: string; licence: string; citation: string; images: number }[];
    split: { protocol: string; idBlockSize: number; seed: number; train: number; val: number; test: number; testFractured: number; rule: string };
    recipe: Record<string, unknown>;
    command: string;
    /** How many epochs ran, and which one's weights are shipped. */
    epochs: string;
    minutes: number;
    machine: string;
    /** A circumstance of the run a reader should know (other load on the machine, say). */
    note?: string;
  };
  /** On the untouched test part of the split, at the threshold; intervals resample blocks of ids. */
  metrics: {
    test: {
      n: number;
      positives: number;
      auc: Estimate;
      sensitivity: Estimate;
      specificity: Estimate;
      accuracy: Estimate;
      ece: number;
      brier: number;
    };
    subgroups: CardSubgroup[];
  };
  /** Where the explanations point, against the radiologists' boxes on the fractured test images. */
  localisation: {
    n: number;
    tolerance: number;
    rows: { method: string; pointing: Estimate; massInBoxes: Estimate }[];
  };
  intendedUse: string;
  limitations: string[];
}

/** One image's verdict. */
export interface PretrainedPrediction {
  /** Whether the positive class's probability reaches the card's threshold. */
  fractured: boolean;
  /** Calibrated probability of the positive class (`fractured`). */
  probability: number;
  threshold: number;
  /** Every class's probability, by name. */
  probabilities: Record<string, number>;
}

/** A shipped model in memory. */
export interface PretrainedModel {
  readonly name: string;
  readonly card: PretrainedModelCard;
  readonly model: LayersModel;
  /** Classifies decoded images (`decodeImage` from `@fracture/preprocess`) with the model's own preparation. */
  predict(images: DecodedImage[]): PretrainedPrediction[];
  /** Frees the weights. */
  dispose(): void;
}

/** The model's files as bytes (a browser `fetch`, a bundler's asset import, `fs.readFile`). */
export interface PretrainedModelBytes {
  /** `model.json`: parsed, as text or as bytes. */
  modelJson: object | string | Uint8Array;
  /** `weights.bin`. */
  weights: ArrayBuffer | Uint8Array;
}

/** Where `loadPretrainedModel` gets the files: the bytes themselves, or a folder URL to fetch them from. */
export type PretrainedModelSource = PretrainedModelBytes | { baseUrl: string | URL; fetch?: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }> };

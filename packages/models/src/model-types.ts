/** The four classifiers of the study. */
export type ModelName = 'cnn' | 'resnet18' | 'efficientnet-b3' | 'mobilenetv2';

/**
 * The custom CNN comes in two forms:
 * - `'notebook'`: what the authors' published code trained (two convs, three FC layers, 5,610,222
 *   parameters at 224 × 224 × 3), the default;
 * - `'text'`: what the paper's prose describes (3 × 3 conv blocks with batch norm, max-pooling,
 *   dropout, dense layers). It ends in logits like every other model: softmax is the consumer's job.
 */
export type CustomCnnVariant = 'notebook' | 'text';

/** Options every `create*` function accepts. */
export interface ModelOptions {
  /** Output logits per image. Default 2 (fractured, not fractured). */
  numClasses?: number;
  /** Square input side in pixels. Default: the study's size for the model ({@link ModelSpec.inputSize}). */
  inputSize?: number;
  /** 1 for grayscale input, 3 for RGB. Default 3. */
  channels?: 1 | 3;
  /**
   * Dropout before the final linear layer. Defaults follow the study: 0.5 for ResNet18 and
   * EfficientNet-B3 (their heads were replaced by Dropout(0.5) + Linear), 0.2 for MobileNetV2
   * (torchvision's classifier, only its Linear replaced). ResNet18 with `headDropout: 0` gets
   * torchvision's plain `fc` head (layer `fc` instead of `fc.1`).
   */
  headDropout?: number;
  /** Custom CNN only: which form to build. Default `'notebook'`. */
  variant?: CustomCnnVariant;
  /** Seed for the initial weights: same seed, same weights. Default 0. */
  seed?: number;
}

/** What the registry knows about a model. */
export interface ModelSpec {
  name: ModelName;
  /** Square input side the study used (224, or 300 for EfficientNet-B3). */
  inputSize: number;
  /** Input channels the study used. */
  channels: 1 | 3;
  /** Per-channel normalisation the study applied after scaling to [0, 1] (ImageNet statistics for every model). */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Adam learning rate and weight decay of the authors' notebook. */
  learningRate: number;
  weightDecay: number;
  /** Batch size and epochs of the study (all models). */
  batchSize: number;
  epochs: number;
  /** Default head dropout ({@link ModelOptions.headDropout}). */
  headDropout: number;
  /**
   * Layer or container (torch name) Grad-CAM targets by default: the output of the network's last block, the last
   * spatial feature map before pooling (`layer4`, `features.18`), as pytorch-grad-cam users pass it. The study's
   * notebook used the last Conv2d inside that block (`layer4.1.conv2`), which can still be passed by name.
   */
  gradCamLayer: string;
  /** Layer (torch name) whose output is the feature vector that feeds the final linear layer. */
  featureLayer: string;
  /** Layer (torch name) of the final linear layer, replaced when `numClasses` changes. */
  headLayer: string;
  /** Whether ImageNet weights exist for the architecture (torchvision / timm). */
  pretrained: boolean;
  /** Whether the study started from those ImageNet weights. */
  pretrainedInStudy: boolean;
  /** Matching architecture names in torchvision and timm, `null` when there is none. */
  torchvisionName: string | null;
  timmName: string | null;
  /** Trainable parameters at the study's input size with 2 classes (PyTorch `sum(p.numel())`). */
  parameters: number;
  /** Where each number comes from. */
  source: string;
}

/** Naming scheme of the keys of a state dict. */
export type StateDictSource = 'torchvision' | 'timm';

export interface LoadStateDictOptions {
  /** Key naming of the state dict. Default `'torchvision'`. */
  source?: StateDictSource;
  /**
   * Like PyTorch's `strict`: when true (default), any missing, unexpected or shape-mismatched key
   * throws and nothing is loaded. When false, matching keys load and the others are reported.
   */
  strict?: boolean;
}

/** A key whose tensor does not fit the model, shapes in PyTorch layout. */
export interface MismatchedKey {
  key: string;
  /** Shape the model needs (PyTorch layout, e.g. `[out, in, kh, kw]`). */
  expected: number[];
  /** Shape in the state dict. */
  got: number[];
}

/** What `loadStateDict` did not load, in torchvision key names. */
export interface LoadStateDictResult {
  /** Keys the model needs that the state dict lacks. */
  missing: string[];
  /** Keys of the state dict the model has no place for (as named in the state dict). */
  unexpected: string[];
  /** Keys present on both sides with different shapes. */
  mismatched: MismatchedKey[];
  /** Keys that were loaded. */
  loaded: string[];
}

/** Architectures whose timm checkpoints `loadStateDict` can rename. */
export type TimmArchitecture = 'resnet18' | 'mobilenetv2_100' | 'efficientnet_b3';

export interface StochasticDepthArgs {
  name?: string;
  /** Probability of dropping the residual branch of one sample. */
  rate: number;
  /** Seed of the first training call; later calls advance it so masks differ between steps. */
  seed?: number;
}

export interface SeededDropoutArgs {
  name?: string;
  /** Fraction of the inputs zeroed in training; survivors are scaled by 1 / (1 - rate) (`nn.Dropout`). */
  rate: number;
  /** Seed of the first training call; each later call uses the next seed. */
  seed?: number;
}

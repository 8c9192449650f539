import type { AdamOptions, EarlyStoppingOptions } from './types';

/** The study's four networks, as @fracture/models names them. */
export type PaperModelName = 'cnn' | 'resnet18' | 'efficientnet-b3' | 'mobilenetv2';

/** Training settings of the study; spread into `train`'s options. */
export interface PaperPreset {
  epochs: number;
  batchSize: number;
  optimizer: Required<Pick<AdamOptions, 'type' | 'lr' | 'weightDecay' | 'decoupled'>>;
  /** `false`: no early stopping (the published code). */
  earlyStopping: EarlyStoppingOptions | false;
  /** Which weights the run ends with. */
  keep: 'last' | 'best';
  /** Input size the study trained this network at. */
  inputSize: number;
  /** Where each number comes from. */
  source: string;
}

const CODE_SETTINGS: Record<PaperModelName, { lr: number; weightDecay: number; inputSize: number }> = {
  cnn: { lr: 1e-3, weightDecay: 0, inputSize: 224 },
  resnet18: { lr: 1e-4, weightDecay: 1e-4, inputSize: 224 },
  'efficientnet-b3': { lr: 1e-4, weightDecay: 1e-4, inputSize: 300 },
  mobilenetv2: { lr: 1e-3, weightDecay: 0, inputSize: 224 },
};

/**
 * The paper does not state the early-stopping criterion; validation loss with
 * patience 3 and the best epoch restored is the usual Keras/Lightning reading.
 */
const TEXT_EARLY_STOPPING: EarlyStoppingOptions = { monitor: 'val_loss', mode: 'min', patience: 3, minDelta: 0, restoreBestWeights: true };

/**
 * The study's training settings for `modelName`. `variant: 'code'` (default)
 * follows the authors' published notebook: Adam (PyTorch's coupled weight
 * decay) with lr 1e-4 and weight decay 1e-4 for ResNet18 and EfficientNet-B3,
 * lr 1e-3 without decay for the CNN and MobileNetV2, batch 32, 10 epochs, no
 * early stopping, last epoch kept. `variant: 'text'` follows the paper's text:
 * Adam lr 0.001 for every model, batch 32, 10 epochs, early stopping.
 */
export function paperPreset(modelName: PaperModelName, options: { variant?: 'code' | 'text' } = {}): PaperPreset {
  const settings = CODE_SETTINGS[modelName];
  if (!settings) {
    throw new Error(`paperPreset: unknown model '${String(modelName)}'; expected one of ${Object.keys(CODE_SETTINGS).join(', ')}`);
  }
  const variant = options.variant ?? 'code';
  if (variant !== 'code' && variant !== 'text') throw new Error(`paperPreset: expected variant 'code' or 'text', got '${String(variant)}'`);
  if (variant === 'text') {
    return {
      epochs: 10,
      batchSize: 32,
      optimizer: { type: 'adam', lr: 1e-3, weightDecay: 0, decoupled: false },
      earlyStopping: { ...TEXT_EARLY_STOPPING },
      keep: 'best',
      inputSize: settings.inputSize,
      source: 'paper text, section "Training": Adam lr 0.001, batch 32, 10 epochs, early stopping (criterion not stated: val_loss, patience 3 assumed)',
    };
  }
  return {
    epochs: 10,
    batchSize: 32,
    optimizer: { type: 'adam', lr: settings.lr, weightDecay: settings.weightDecay, decoupled: false },
    earlyStopping: false,
    keep: 'last',
    inputSize: settings.inputSize,
    source: `authors' notebook: torch.optim.Adam(lr=${settings.lr}${settings.weightDecay ? `, weight_decay=${settings.weightDecay}` : ''}), batch 32, 10 epochs, no early stopping, last epoch kept`,
  };
}

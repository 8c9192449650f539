#!/usr/bin/env node
// The maintainers' reproduction of "Bone Fracture Detection Using Deep Learning".
//   node reproduce-paper.mjs --data ../../../shared/data/fracture-xray --out ../../docs/reproduction
// Re-running resumes: finished models are skipped, interrupted ones continue from their checkpoint.
// Budget flags (--epochs, --max-train-images, --max-test-images) reduce the run; the report states
// every reduction in the row of the numbers it affects. --epochs, --max-train-images and
// --micro-batch-size take one number or model=n pairs (`--max-train-images resnet18=512,mobilenetv2=384`).
// --external-data ../shared/data/fracatlas also evaluates every model on FracAtlas (external validation), right
// after it trains (the model folders are not committed, so a later session cannot do it for earlier runs).
// --protocol paper|grouped|both lets two processes share a 2-core machine (wasm trains on one thread):
// run one per protocol into the same --out, then once more with both to assemble the report.
// --weights resnet18=<file>,efficientnet-b3=<file> starts those models from torchvision's ImageNet weights
// (MobileNetV2's are taken from ../shared/weights when present); without, they train from scratch.
// --report-only trains nothing: it assembles the report from finished runs and the last checkpoints of
// unfinished ones (each row states how many epochs it had), and is safe to run while training continues.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCommandLine, parsePerModelFiles, parsePerModelValue, reproduce } from '@fracture/cli';

const MOBILENET_WEIGHTS = new URL('../../../shared/weights/mobilenet_v2-imagenet-features.safetensors', import.meta.url).pathname;

export async function reproducePaper(options) {
  return reproduce({
    protocols: options.protocols ?? ['paper', 'grouped'],
    // The study started MobileNetV2 from scratch in its code; its text says pretrained. We use the
    // ImageNet weights when they are available and say so in the report's "pretrained" column.
    ...options,
    // ResNet18's and EfficientNet-B3's ImageNet weights cannot be had here; users who have torchvision's files
    // pass them with --weights resnet18=<file>,efficientnet-b3=<file>, and the report says which rows used them.
    weights: {
      ...(options.mobilenetWeights && existsSync(options.mobilenetWeights) ? { mobilenetv2: options.mobilenetWeights } : {}),
      ...options.weights,
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      out: { type: 'string', default: 'reproduction' },
      protocol: { type: 'string', default: 'both' },
      models: { type: 'string' },
      epochs: { type: 'string' },
      'max-train-images': { type: 'string' },
      'max-test-images': { type: 'string' },
      'micro-batch-size': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'cache-dir': { type: 'string', default: '.fracture-cache' },
      note: { type: 'string', multiple: true },
      'external-data': { type: 'string' },
      'report-only': { type: 'boolean', default: false },
      weights: { type: 'string' },
    },
  });
  if (!values.data) {
    console.error('usage: node reproduce-paper.mjs --data <fracture-xray dir> [--out dir] [--protocol paper|grouped|both] [--models cnn,resnet18,...] [--epochs n|model=n,...] [--max-train-images n|model=n,...] [--max-test-images n] [--weights model=file,...] [--external-data dir] [--report-only] [--note text]');
    process.exit(2);
  }
  if (!['paper', 'grouped', 'both'].includes(values.protocol)) {
    console.error(`reproduce-paper: --protocol must be paper, grouped or both, got '${values.protocol}'`);
    process.exit(2);
  }
  const number = (v) => (v === undefined ? undefined : Number(v));
  const perModel = (flag, v) => {
    if (v === undefined) return undefined;
    try {
      return parsePerModelValue(flag, v);
    } catch (error) {
      console.error(`reproduce-paper: ${error.message}`);
      process.exit(2);
    }
  };
  let weights;
  try {
    weights = values.weights === undefined ? undefined : parsePerModelFiles('--weights', values.weights);
  } catch (error) {
    console.error(`reproduce-paper: ${error.message}`);
    process.exit(2);
  }
  const result = await reproducePaper({
    dataDir: values.data,
    out: values.out,
    protocols: values.protocol === 'both' ? ['paper', 'grouped'] : [values.protocol],
    models: values.models?.split(','),
    epochs: perModel('--epochs', values.epochs),
    maxTrainImages: perModel('--max-train-images', values['max-train-images']),
    maxTestImages: number(values['max-test-images']),
    microBatchSize: perModel('--micro-batch-size', values['micro-batch-size']),
    backend: values.backend,
    cacheDir: values['cache-dir'],
    notes: values.note,
    externalDataDir: values['external-data'],
    reportOnly: values['report-only'],
    mobilenetWeights: MOBILENET_WEIGHTS,
    weights,
    command: `node examples/reproduce-paper/reproduce-paper.mjs ${formatCommandLine(process.argv.slice(2))}`,
  });
  console.log(`report: ${result.reportMarkdown}`);
  process.exit(0);
}

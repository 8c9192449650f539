// Stand-ins for the files the README examples read from the reader's folder (their own X-ray, a checkpoint they
// downloaded, the demo's output), written into the example's temp folder before its blocks run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, getStateDict, saveModel, writeSafetensors } from '@fracture/models';
import { encodePng, generateSyntheticRadiographs, writeSyntheticDataset } from '@fracture/preprocess';

const PYTHON = process.env.FRACTURE_PYTHON ?? '/usr/bin/python3';

async function xrayPng(file) {
  const [sample] = generateSyntheticRadiographs({ count: 1, size: 96, seed: 5 });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, encodePng(sample.image));
}

/** What `npm run demo` leaves behind, small: a validation set and a model folder. */
async function demoOutput(cwd) {
  await tf.setBackend('cpu');
  await writeSyntheticDataset(join(cwd, 'fracture-demo', 'data'), { count: 40, size: 64, seed: 2, variantsPerSource: 1 });
  const model = createModel('cnn', { inputSize: 64, seed: 1 });
  await saveModel(model, join(cwd, 'fracture-demo', 'cnn', 'model'));
  model.dispose();
}

async function safetensorsOf(name, file, options = {}, drop = () => false) {
  await tf.setBackend('cpu');
  const model = createModel(name, options);
  const state = Object.fromEntries(Object.entries(getStateDict(model)).filter(([key]) => !drop(key)));
  await writeFile(file, writeSafetensors(state));
  model.dispose();
}

/** A small folder in the FracAtlas release's layout (images by class, dataset.csv, YOLO boxes) for the reader's download. */
async function fracAtlasFolder(dir) {
  const rows = ['image_id,hand,leg,hip,shoulder,mixed,hardware,multiscan,fractured,fracture_count,frontal,lateral,oblique'];
  for (const [i, r] of generateSyntheticRadiographs({ count: 30, size: 64, seed: 9 }).entries()) {
    const id = `IMG${String(i * 5).padStart(7, '0')}`;
    const fractured = r.className === 'fractured';
    await mkdir(join(dir, 'images', fractured ? 'Fractured' : 'Non_fractured'), { recursive: true });
    await mkdir(join(dir, 'Annotations', 'YOLO'), { recursive: true });
    await writeFile(join(dir, 'images', fractured ? 'Fractured' : 'Non_fractured', `${id}.png`), encodePng(r.image));
    const b = r.fractureBox;
    await writeFile(join(dir, 'Annotations', 'YOLO', `${id}.txt`), b ? `0 ${(b.x + b.width / 2) / 64} ${(b.y + b.height / 2) / 64} ${b.width / 64} ${b.height / 64}\n` : '');
    rows.push(`${id}.png,${i % 2},${1 - (i % 2)},0,0,0,0,0,${fractured ? 1 : 0},${b ? 1 : 0},1,0,0`);
  }
  await writeFile(join(dir, 'dataset.csv'), rows.join('\n') + '\n');
}

function torchAvailable() {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
}

/**
 * Per README: `setup(cwd)` writes the stand-ins; `skip(line)` returns why a block cannot run on this machine
 * (null when it can).
 */
export const FIXTURES = {
  'README.md': { setup: demoOutput },
  'packages/cli/README.md': {
    async setup(cwd) {
      await demoOutput(cwd);
      await xrayPng(join(cwd, 'xray.png'));
    },
  },
  'packages/explain/README.md': {
    async setup(cwd) {
      await safetensorsOf('resnet18', join(cwd, 'resnet18.safetensors'));
      await xrayPng(join(cwd, 'xray.png'));
    },
  },
  'packages/models/README.md': {
    async setup(cwd) {
      // An ImageNet feature extractor: 1000-class weights without the classifier.
      await safetensorsOf('mobilenetv2', join(cwd, 'mobilenet_v2-imagenet-features.safetensors'), { numClasses: 1000 }, (key) => key.startsWith('classifier.'));
      await safetensorsOf('mobilenetv2', join(cwd, 'mobilenet_v2.safetensors'), { numClasses: 1000 });
      if (torchAvailable()) {
        const script = "import sys, torch, torchvision; torch.save(torchvision.models.resnet18().state_dict(), sys.argv[1])";
        const run = spawnSync(PYTHON, ['-c', script, join(cwd, 'resnet18-f37072fd.pth')], { encoding: 'utf8' });
        if (run.status !== 0) throw new Error(`writing a torchvision checkpoint failed: ${run.stderr}`);
      }
    },
    skip: (line) => (line > 100 && !torchAvailable() ? `needs a PyTorch checkpoint, written with ${PYTHON} and torch, which is not installed` : null),
  },
  'packages/preprocess/README.md': {
    async setup(cwd) {
      await xrayPng(join(cwd, 'data', 'train', 'fractured', '1.png'));
      await fracAtlasFolder(join(cwd, 'fracatlas'));
    },
  },
  'packages/pretrained/README.md': {
    async setup(cwd) {
      // decodeImage goes by the bytes, not the name: a PNG stands in for the reader's JPEG.
      await xrayPng(join(cwd, 'xray.jpg'));
      await fracAtlasFolder(join(cwd, 'my-radiographs'));
    },
  },
};

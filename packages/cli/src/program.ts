import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { decodeImageAsync, inspectDataset, readSplitManifest, scanImageFolder, splitDataset } from '@fracture/preprocess';
import { isModelName, MODEL_NAMES } from '@fracture/models';
import type { ModelName } from '@fracture/models';
import { selectBackend } from '@fracture/backend';
import { listPretrainedModels } from '@fracture/pretrained';
import { progressLogger } from '@fracture/train';
import type { TrainBackend } from '@fracture/train';
import { runDemo } from './demo';
import { runEnsemble } from './ensemble-run';
import { runEvaluation } from './evaluate-run';
import { createOutput, percent } from './output';
import type { CommandOutput, OutputStreams } from './output';
import { runPredict } from './predict-run';
import { createPredictor } from './predictor';
import type { ExplainMethod } from './predictor';
import { formatCommandLine } from './command-line';
import { parsePerModelFiles, parsePerModelValue } from './per-model-budget';
import { reproduce } from './reproduce';
import { startServer } from './server';
import { createPredictionPool, defaultPoolSize } from './server-workers';
import type { PredictionPoolOptions } from './server-workers';
import { exists, runTraining, toSplitProtocol } from './train-run';
import type { CliProtocol } from './train-run';
import { readTrainedModelInfo } from './trained-model';
import { measureLocalisation } from './localisation-run';
import { modelFingerprint } from './model-fingerprint';
import { resolveModelDir } from './model-source';
import { CLI_VERSION } from './version';

const IMAGE_EXTENSIONS = /\.(png|jpe?g|dcm|dicom)$/i;

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got '${value}'`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}

function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a non-negative number, got '${value}'`);
    return n;
  };
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed must be a non-negative integer, got '${value}'`);
  return n;
}

function perModel(name: string) {
  return (value: string) => {
    try {
      return parsePerModelValue(name, value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

function perModelFiles(name: string) {
  return (value: string) => {
    try {
      return parsePerModelFiles(name, value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** The arguments this run was parsed from (not `process.argv`, which differs when the program is embedded). */
function commandLine(command: Command): string[] {
  let root = command;
  while (root.parent) root = root.parent;
  // commander keeps what parse() received in `rawArgs` without declaring it in its types.
  const raw = (root as Command & { rawArgs?: string[] }).rawArgs;
  return (raw && raw.length >= 2 ? raw : process.argv).slice(2);
}

function modelName(value: string): ModelName {
  if (!isModelName(value)) throw new InvalidArgumentError(`unknown model '${value}'; expected one of ${MODEL_NAMES.join(', ')}`);
  return value;
}

function modelList(value: string): ModelName[] {
  return value.split(',').map((v) => modelName(v.trim()));
}

const backendOption = () =>
  new Option('--backend <name>', 'compute engine (FRACTURE_BACKEND overrides auto)').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto');

/** Expands files and folders into image files (folders recursively), sorted for a stable order. */
export async function collectImageFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const stat = await fs.stat(input).catch(() => {
      throw new Error(`no such file or folder: ${input}`);
    });
    if (stat.isDirectory()) {
      const entries = await fs.readdir(input, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile() && IMAGE_EXTENSIONS.test(entry.name)) files.push(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
      }
    } else {
      files.push(input);
    }
  }
  return files.sort();
}

/**
 * The `fracture` command. Every action is a thin call into the packages (or this package's
 * workflows), so everything the CLI does is also available to library users.
 */
export interface ProgramSettings {
  /** Throw instead of exiting on a usage error (tests). */
  exitOverride?: boolean;
  /** Where `serve` listens for SIGINT / SIGTERM and how it exits (default `process`); tests stop it without exiting. */
  lifecycle?: { once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown; exit(code: number): void };
  /** `serve`'s worker entry (default: the built `server-worker.js`); tests run the sources through a loader. */
  serveWorker?: Pick<PredictionPoolOptions, 'workerEntry' | 'workerTarget'>;
}

export function createProgram(streams?: OutputStreams, settings: ProgramSettings = {}): Command {
  const program = new Command('fracture')
    .description('Bone-fracture detection in X-rays with TensorFlow.js: train, evaluate, explain and serve the study\'s models.')
    .version(CLI_VERSION, '-V, --version', 'print the version of @fracture/cli')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError()
    .configureOutput(streams ? { writeOut: (s) => streams.stdout.write(s), writeErr: (s) => streams.stderr.write(s) } : {});
  // Set before the subcommands are added, which copy it: tests then get errors instead of process.exit.
  if (settings.exitOverride) program.exitOverride();

  const lifecycle = settings.lifecycle ?? { once: (signal: 'SIGINT' | 'SIGTERM', listener: () => void) => process.once(signal, listener), exit: (code: number) => process.exit(code) };
  const out = (command: Command): CommandOutput => createOutput(Boolean(command.optsWithGlobals().json), streams);
  const progressFor = (output: CommandOutput) => progressLogger({ stream: streams?.stderr ?? process.stderr, format: output.json ? 'jsonl' : 'auto' });

  program
    .command('demo')
    .description('generate synthetic radiographs, train the custom CNN, evaluate and explain it (no dataset needed)')
    .option('--out <dir>', 'output folder', 'fracture-demo')
    .option('--images <n>', 'synthetic images to generate', positiveInt('--images'), 2400)
    .option('--epochs <n>', 'training epochs', positiveInt('--epochs'), 20)
    .option('--seed <n>', 'seed', seed, 7)
    .addOption(backendOption())
    .action(async (opts, command: Command) => {
      const output = out(command);
      const result = await runDemo({ out: opts.out, images: opts.images, epochs: opts.epochs, seed: opts.seed, backend: opts.backend as TrainBackend, progress: progressFor(output), log: output.info });
      const m = result.evaluation.metrics;
      output.result(
        { out: result.out, report: result.reportPath, modelDir: result.modelDir, seconds: result.seconds, backend: result.backend, testImages: result.testImages, metrics: m },
        [
          `Demo finished in ${result.seconds.toFixed(0)} s on ${result.backend}.`,
          `Test set (${result.testImages} synthetic images, sources unseen in training):`,
          `  accuracy ${percent(m.accuracy.estimate)} (95 % CI ${percent(m.accuracy.lower)}–${percent(m.accuracy.upper)})`,
          `  recall (fractured) ${percent(m.recall.estimate)}, specificity ${percent(m.specificity.estimate)}, AUC ${m.auc.estimate.toFixed(3)}, kappa ${m.kappa.estimate.toFixed(3)}`,
          `Report: ${result.reportPath}`,
          `Next: fracture predict <image> --model-dir ${result.modelDir} --explain`,
        ].join('\n'),
      );
    });

  const data = program.command('data').description('dataset tools');
  data
    .command('inspect <dir>')
    .description('counts per split and class, unreadable files, duplicates, sources shared between splits, image sizes')
    .action(async (dir: string, _opts, command: Command) => {
      const output = out(command);
      const report = await inspectDataset(dir);
      const lines = [`${report.root} (${report.layout} layout): ${report.total} images`];
      for (const [split, byClass] of Object.entries(report.counts)) {
        lines.push(`  ${split}: ${Object.entries(byClass).map(([c, n]) => `${c} ${n} (${report.sources[split]?.[c] ?? 0} sources)`).join(', ')}`);
      }
      lines.push(`unreadable: ${report.unreadable.length}${report.unreadable.slice(0, 5).map((u) => `\n  ${u.path}: ${u.reason}`).join('')}`);
      lines.push(`not images (skipped): ${report.skipped.length}`);
      lines.push(`byte-identical groups: ${report.duplicates.length}`);
      lines.push(`sources shared between splits (leakage): ${report.sharedSources.length}${report.sharedSources.slice(0, 5).map((s) => `\n  ${s.className} #${s.sourceId}: ${s.splits.join(', ')} (${s.images} images)`).join('')}`);
      lines.push(`widths: ${Object.entries(report.widthHistogram).map(([b, n]) => `${b} px: ${n}`).join(', ')}`);
      output.result(report, lines.join('\n'));
    });

  program
    .command('train')
    .description('train one model on a dataset folder as the study did')
    .addOption(new Option('--model <name>', 'model').argParser(modelName).makeOptionMandatory())
    .requiredOption('--data <dir>', 'dataset root (Kaggle train/val layout or one folder per class)')
    .addOption(new Option('--protocol <name>', "split protocol ('blocks': consecutive-id blocks, for FracAtlas)").choices(['paper', 'grouped', 'kaggle', 'blocks']).default('grouped'))
    .option('--weights <file>', 'initial weights (.safetensors or torchvision .pth)')
    .option('--epochs <n>', 'epochs (default: the study\'s 10)', positiveInt('--epochs'))
    .option('--batch-size <n>', 'batch size (default 32)', positiveInt('--batch-size'))
    .option('--lr <x>', 'learning rate (default: the study\'s for the model)', positiveNumber('--lr'))
    .option('--input-size <n>', 'input side in pixels (default: the study\'s)', positiveInt('--input-size'))
    .option('--grayscale', 'train on 1-channel input')
    .option('--micro-batch-size <n>', 'accumulate gradients over micro-batches of this size', positiveInt('--micro-batch-size'))
    .option('--seed <n>', 'seed', seed, 0)
    .option('--cache-dir <dir>', 'cache of resized images')
    .option('--out <dir>', 'output folder', 'fracture-runs/train')
    .addOption(backendOption())
    .action(async (opts, command: Command) => {
      const output = out(command);
      const result = await runTraining({
        modelName: opts.model,
        dataDir: opts.data,
        protocol: opts.protocol as CliProtocol,
        weights: opts.weights,
        epochs: opts.epochs,
        batchSize: opts.batchSize,
        lr: opts.lr,
        inputSize: opts.inputSize,
        channels: opts.grayscale ? 1 : 3,
        microBatchSize: opts.microBatchSize,
        seed: opts.seed,
        cacheDir: opts.cacheDir,
        out: opts.out,
        backend: opts.backend as TrainBackend,
        progress: progressFor(output),
        log: output.info,
      });
      const last = result.history[result.history.length - 1];
      output.result(
        { modelDir: result.modelDir, seconds: result.seconds, backend: result.backend, epochs: result.history.length, history: result.history, split: { train: result.split.train.length, val: result.split.val.length, test: result.split.test.length }, weights: result.weightsReport ?? null },
        `Trained ${opts.model} for ${result.history.length} epochs in ${(result.seconds / 60).toFixed(1)} min on ${result.backend}; last epoch: loss ${last?.loss.toFixed(4)}, accuracy ${percent(last?.acc ?? NaN)}${last?.val_acc !== undefined ? `, val accuracy ${percent(last.val_acc)}` : ''}.\nModel: ${result.modelDir}`,
      );
    });

  program
    .command('evaluate')
    .description('every metric with bootstrap intervals, plots and misclassified samples on a test set')
    .option('--model <name>', "a shipped model ('fracture models')")
    .option('--model-dir <dir>', 'a folder written by `fracture train`')
    .requiredOption('--data <dir>', 'dataset root')
    .option('--split <file>', 'split manifest (default: split.csv beside the model folder, else a new split)')
    .addOption(new Option('--protocol <name>', 'split protocol when no manifest is found').choices(['paper', 'grouped', 'kaggle', 'blocks']).default('grouped'))
    .addOption(new Option('--part <name>', "which part to evaluate; 'all': every image of --data, no split (an external dataset)").choices(['train', 'val', 'test', 'all']).default('test'))
    .option('--seed <n>', 'seed', seed, 0)
    .option('--bootstrap <n>', 'bootstrap resamples', positiveInt('--bootstrap'), 1000)
    .option('--out <dir>', 'output folder (default: <model-dir>/../evaluation); progress is kept in it (predictions.progress.json) so a stopped run continues')
    .action(async (opts, command: Command) => {
      const output = out(command);
      const modelDir = resolveModelDir('evaluate', opts);
      // A shipped model's folder is inside node_modules: its results go to the working folder instead.
      const runDir = opts.model ? path.resolve('fracture-evaluation', opts.model) : path.dirname(path.resolve(modelDir));
      const outDir: string = opts.out ?? path.join(runDir, 'evaluation');
      const items = await itemsFor(opts.data, opts.split ?? path.join(runDir, 'split.csv'), opts.protocol, opts.seed, opts.part, output.info);
      const progressFile = path.join(outDir, 'predictions.progress.json');
      await fs.mkdir(outDir, { recursive: true });
      const result = await runEvaluation({
        modelDir,
        items,
        out: outDir,
        seed: opts.seed,
        nBoot: opts.bootstrap,
        dataRoot: opts.data,
        progressFile,
        progressKey: await modelFingerprint(modelDir),
        onProgress: (done, total) => (done % 10 === 0 || done === total) && output.info(`evaluate: ${done}/${total} batches`),
      });
      if (result.resumed > 0) output.info(`evaluate: continued from ${progressFile} (${result.resumed} images already predicted)`);
      const m = result.evaluation.metrics;
      const lines = [`${result.name} on ${result.evaluation.n} images (positive: ${result.info.positiveClass}, threshold ${result.evaluation.threshold}), 95 % bootstrap intervals:`];
      for (const [name, value] of Object.entries(m)) lines.push(`  ${name.padEnd(12)} ${value.estimate.toFixed(4)} (${value.lower.toFixed(4)}–${value.upper.toFixed(4)})`);
      lines.push(`  brier        ${result.evaluation.brier.toFixed(4)}`, `  ECE          ${result.evaluation.ece.toFixed(4)}`);
      const cell = (v: { estimate: number } | null) => (v ? v.estimate.toFixed(3) : '–');
      if (result.subgroups.length > 1) {
        lines.push('subgroups (images, fractured, AUC, sensitivity, specificity):');
        for (const row of result.subgroups.slice(1)) lines.push(`  ${row.group.padEnd(18)} ${String(row.n).padStart(5)} ${String(row.positives).padStart(5)}  ${cell(row.auc)}  ${cell(row.sensitivity)}  ${cell(row.specificity)}`);
      }
      lines.push(`misclassified: ${result.mistakes.length}; files in ${outDir}`);
      const { roc: _r, precisionRecall: _p, ...summary } = result.evaluation;
      output.result(
        {
          name: result.name,
          // The headline numbers at the top level, as the other commands name them; everything else below.
          accuracy: m.accuracy,
          sensitivity: m.recall,
          specificity: m.specificity,
          auc: m.auc,
          ...summary,
          subgroups: result.subgroups,
          misclassified: result.mistakes,
          files: result.files,
        },
        lines.join('\n'),
      );
    });

  program
    .command('predict <inputs...>')
    .description('classify PNG, JPEG or DICOM files (folders are searched recursively)')
    .option('--model <name>', "a shipped model ('fracture models')")
    .option('--model-dir <dir>', 'a folder written by `fracture train` or `fracture demo`')
    .option('--explain', 'write a Grad-CAM overlay beside each result')
    .option('--out <dir>', 'folder for overlays', 'fracture-predictions')
    .action(async (inputs: string[], opts, command: Command) => {
      const output = out(command);
      const predictor = await createPredictor(resolveModelDir('predict', opts));
      try {
        const { failures } = await runPredict({ inputs, predictor, output, overlayDir: opts.explain ? opts.out : undefined });
        if (failures > 0) process.exitCode = 1;
      } finally {
        predictor.dispose();
      }
    });

  program
    .command('explain <inputs...>')
    .description('heatmap overlays showing where the model looked')
    .option('--model <name>', "a shipped model ('fracture models')")
    .option('--model-dir <dir>', 'a folder written by `fracture train` or `fracture demo`')
    .addOption(new Option('--method <name>', 'explanation method').choices(['gradcam', 'gradcam++', 'occlusion']).default('gradcam'))
    .addOption(new Option('--colormap <name>', 'heatmap colours').choices(['turbo', 'jet', 'gray']).default('turbo'))
    .option('--class <name>', 'class to explain (default: the predicted one)')
    .option('--out <dir>', 'output folder', 'fracture-explanations')
    .action(async (inputs: string[], opts, command: Command) => {
      const output = out(command);
      const modelDir = resolveModelDir('explain', opts);
      const files = await collectImageFiles(inputs);
      const predictor = await createPredictor(modelDir);
      await fs.mkdir(opts.out, { recursive: true });
      const results: Record<string, unknown>[] = [];
      try {
        const classIndex = opts.class === undefined ? undefined : predictor.info.classNames.indexOf(opts.class);
        if (classIndex === -1) throw new Error(`unknown class '${opts.class}'; expected one of ${predictor.info.classNames.join(', ')}`);
        for (const file of files) {
          const image = await decodeImageAsync(new Uint8Array(await fs.readFile(file)), { path: file });
          const [prediction] = predictor.predictImages([image]);
          const explanation = await predictor.explain(image, { method: opts.method as ExplainMethod, classIndex: classIndex ?? prediction.classIndex, colormap: opts.colormap });
          const target = path.join(opts.out, `${path.parse(file).name}-${opts.method.replace('++', 'pp')}.png`);
          await fs.writeFile(target, explanation.overlayPng);
          results.push({ file, overlay: target, method: opts.method, explainedClass: predictor.info.classNames[explanation.classIndex], ...prediction });
        }
      } finally {
        predictor.dispose();
      }
      output.result(results, results.map((r) => `${r.file}: ${r.predictedClass} → ${r.overlay}`).join('\n'));
    });

  program
    .command('ensemble')
    .description('average the probabilities of several trained models and evaluate the ensemble')
    .requiredOption('--model-dirs <dirs...>', 'two or more folders written by `fracture train`')
    .requiredOption('--data <dir>', 'dataset root')
    .requiredOption('--split <file>', 'split manifest shared by the models (their split.csv)')
    .option('--weights <list>', 'comma-separated weights, one per model', (v) => v.split(',').map(Number))
    .option('--seed <n>', 'seed', seed, 0)
    .option('--out <dir>', 'output folder', 'fracture-runs/ensemble')
    .action(async (opts, command: Command) => {
      const output = out(command);
      const split = await readSplitManifest(opts.split, { root: opts.data });
      const result = await runEnsemble({ modelDirs: opts.modelDirs, items: split.test, out: opts.out, weights: opts.weights, seed: opts.seed, dataRoot: opts.data, log: output.info });
      const line = (name: string, m: typeof result.ensemble.metrics) => `  ${name.padEnd(20)} accuracy ${percent(m.accuracy.estimate)}  AUC ${m.auc.estimate.toFixed(3)}  kappa ${m.kappa.estimate.toFixed(3)}`;
      output.result(
        { members: result.members.map((m) => ({ name: m.name, modelDir: m.modelDir, metrics: m.evaluation.metrics })), ensemble: result.ensemble.metrics, comparisons: result.comparisons },
        [
          ...result.members.map((m) => line(m.name, m.evaluation.metrics)),
          line('ensemble', result.ensemble.metrics),
          ...result.comparisons.map((c) => `  DeLong ensemble vs ${c.member}: ΔAUC ${c.difference.toFixed(4)}, p = ${c.pValue.toPrecision(3)}`),
        ].join('\n'),
      );
    });

  program
    .command('reproduce')
    .description('train and evaluate the study\'s four models and write report.md / report.html (re-run to resume)')
    .requiredOption('--data <dir>', 'the Kaggle fracture dataset root')
    .addOption(new Option('--protocol <name>', 'split protocol(s)').choices(['paper', 'grouped', 'both']).default('both'))
    .option('--models <list>', `comma-separated subset of ${MODEL_NAMES.join(',')}`, modelList)
    .option('--epochs <n|model=n,…>', 'epochs, for every model or per model (default 10; fewer is a reduced budget, stated in the report)', perModel('--epochs'))
    .option('--max-train-images <n|model=n,…>', 'images per epoch, for every model or per model (a reduced budget, stated in the report)', perModel('--max-train-images'))
    .option('--max-test-images <n>', 'evaluate on a stratified subset of the test set', positiveInt('--max-test-images'))
    .option('--weights <model=file,…>', "ImageNet weights per model, torchvision's .pth or .safetensors (resnet18=resnet18-f37072fd.pth,…); models without train from scratch, as the report states", perModelFiles('--weights'))
    .option('--mobilenet-weights <file>', 'ImageNet MobileNetV2 weights (torchvision names); the same as --weights mobilenetv2=<file>')
    .option('--micro-batch-size <n|model=n,…>', 'gradient accumulation micro-batch, for every model or per model', perModel('--micro-batch-size'))
    .option('--cache-dir <dir>', 'cache of resized images', '.fracture-cache')
    .option('--seed <n>', 'seed', seed, 0)
    .option('--bootstrap <n>', 'bootstrap resamples', positiveInt('--bootstrap'), 1000)
    .option('--out <dir>', 'report folder', 'fracture-runs/reproduction')
    .option('--note <text>', 'a circumstance of the run to state in the report (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--external-data <dir>', 'also evaluate every model on this whole dataset (FracAtlas): external validation, by subgroup, with Grad-CAM localisation against its boxes')
    .option('--report-only', 'train nothing: assemble the report from finished runs and the last checkpoints of unfinished ones (safe beside the training processes)')
    .addOption(backendOption())
    .action(async (opts, command: Command) => {
      const output = out(command);
      const result = await reproduce({
        reportOnly: Boolean(opts.reportOnly),
        dataDir: opts.data,
        out: opts.out,
        protocols: opts.protocol === 'both' ? ['paper', 'grouped'] : [opts.protocol],
        models: opts.models,
        epochs: opts.epochs,
        maxTrainImages: opts.maxTrainImages,
        maxTestImages: opts.maxTestImages,
        weights: opts.weights || opts.mobilenetWeights ? { ...(opts.mobilenetWeights ? { mobilenetv2: opts.mobilenetWeights } : {}), ...opts.weights } : undefined,
        microBatchSize: opts.microBatchSize,
        cacheDir: opts.cacheDir,
        seed: opts.seed,
        nBoot: opts.bootstrap,
        backend: opts.backend as TrainBackend,
        notes: opts.note,
        externalDataDir: opts.externalData,
        command: `fracture ${formatCommandLine(commandLine(command))}`,
        progress: progressFor(output),
        log: output.info,
      });
      output.result(
        { report: result.reportMarkdown, html: result.reportHtml, results: result.results.map(({ history: _h, roc: _r, ...r }) => r) },
        `Report: ${result.reportMarkdown}\n       ${result.reportHtml}`,
      );
    });

  program
    .command('serve')
    .description('a local HTTP API (POST /predict) and a page to drop an X-ray on')
    .option('--model <name>', "a shipped model ('fracture models')")
    .option('--model-dir <dir>', "a folder written by `fracture train` (default: the demo's model, fracture-demo/cnn/model)")
    .option('--port <n>', 'port', (v) => Number(v), 8080)
    .option('--host <host>', 'interface to bind; anything but localhost exposes patient images to the network', '127.0.0.1')
    .option('--max-upload-mb <n>', 'largest accepted upload', positiveNumber('--max-upload-mb'), 32)
    .option('--allowed-host <name>', 'a host name the server may be reached by, besides its IP and localhost (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--workers <n>', `prediction worker threads (default ${defaultPoolSize()} here: the cores but one, at most 4)`, positiveInt('--workers'))
    .option('--timeout <s>', 'longest time one upload may take to decode and classify', positiveNumber('--timeout'), 30)
    .option('--server-only', 'the page posts images to this server instead of running the model in the browser')
    .action(async (opts, command: Command) => {
      const output = out(command);
      const modelDir = resolveModelDir('serve', opts, 'fracture-demo/cnn/model');
      await readTrainedModelInfo(modelDir).catch((error: Error) => {
        throw new Error(`${error.message}\nRun 'fracture demo' first, or pass --model <name> or --model-dir.`);
      });
      const pool = await createPredictionPool({ modelDir, size: opts.workers, timeoutMs: Math.round(opts.timeout * 1000), ...settings.serveWorker });
      const server = await startServer(pool, { host: opts.host, port: opts.port, maxUploadBytes: Math.round(opts.maxUploadMb * 1024 * 1024), allowedHosts: opts.allowedHost, browserModel: !opts.serverOnly, log: output.info });
      output.result({ url: server.url, model: pool.info.modelName, workers: pool.size }, `Serving ${pool.info.modelName} at ${server.url} with ${pool.size} worker thread(s) (Ctrl+C to stop)`);
      const stop = async () => {
        await server.close();
        await pool.close();
        lifecycle.exit(0);
      };
      lifecycle.once('SIGINT', stop);
      lifecycle.once('SIGTERM', stop);
    });

  program
    .command('models')
    .description('the trained models shipped with @fracture/pretrained, the recommended one first, with their cards')
    .action((_opts, command: Command) => {
      const output = out(command);
      const cards = listPretrainedModels();
      const lines = cards.map((card) => {
        const t = card.metrics.test;
        const range = (e: { estimate: number; lower: number; upper: number }) => `${e.estimate.toFixed(3)} (${e.lower.toFixed(3)}–${e.upper.toFixed(3)})`;
        return [
          `${card.name}${card.recommended ? ' (recommended)' : ''}: ${card.summary}`,
          `  test (${t.n} images, ${t.positives} fractured): AUC ${range(t.auc)}, sensitivity ${range(t.sensitivity)}, specificity ${range(t.specificity)} at threshold ${card.threshold.value.toFixed(3)}`,
          `  use: fracture predict <image> --model ${card.name}`,
        ].join('\n');
      });
      output.result(cards, lines.join('\n'));
    });

  program
    .command('localise')
    .description("does the explanation point at the fracture? Grad-CAM, Grad-CAM++ and occlusion against the dataset's fracture boxes, beside a centre prior and a flat map")
    .option('--model <name>', "a shipped model ('fracture models')")
    .option('--model-dir <dir>', 'a folder written by `fracture train`')
    .requiredOption('--data <dir>', 'a dataset with fracture boxes (the FracAtlas layout)')
    .option('--split <file>', 'split manifest: score only --part of it (default: every image of --data)')
    .addOption(new Option('--part <name>', 'which part of --split').choices(['train', 'val', 'test']).default('test'))
    .option('--methods <list>', 'comma-separated: gradcam, gradcam++, occlusion', 'gradcam,gradcam++,occlusion')
    .option('--tolerance <px>', 'pointing-game tolerance in input pixels (default 15 at 224 px, scaled with the input size)', nonNegativeNumber('--tolerance'))
    .option('--seed <n>', 'bootstrap seed', seed, 0)
    .option('--out <file>', 'also write the result, per image included, to this JSON file; progress is kept beside it (<file>.progress.json) so a stopped run continues')
    .action(async (opts, command: Command) => {
      const output = out(command);
      const methods = String(opts.methods).split(',').map((m) => m.trim());
      const unknown = methods.find((m) => !['gradcam', 'gradcam++', 'occlusion'].includes(m));
      if (unknown) throw new Error(`localise: unknown method '${unknown}'; expected gradcam, gradcam++ or occlusion`);
      const scan = await scanImageFolder(opts.data);
      for (const problem of scan.unreadable) output.info(`localise: left out ${problem.path}: ${problem.reason}`);
      let items = scan.items;
      if (opts.split) {
        const wanted = new Set((await readSplitManifest(opts.split, { root: opts.data }))[opts.part as 'train' | 'val' | 'test'].map((item) => item.path));
        items = items.filter((item) => wanted.has(item.path));
      }
      const modelDir = resolveModelDir('localise', opts);
      const predictor = await createPredictor(modelDir);
      try {
        const result = await measureLocalisation(predictor, items, {
          methods: methods as ExplainMethod[],
          tolerance: opts.tolerance,
          seed: opts.seed,
          onProgress: (done, total) => (done % 25 === 0 || done === total) && output.info(`localise: ${done}/${total} images`),
          ...(opts.out ? { progressFile: `${opts.out}.progress.json`, progressKey: await modelFingerprint(modelDir) } : {}),
        });
        if (result.resumed > 0) output.info(`localise: continued from ${opts.out}.progress.json (${result.resumed} images already scored)`);
        for (const failure of result.failures) output.info(`localise: left out ${failure.path}: ${failure.reason}`);
        if (opts.out) await fs.writeFile(opts.out, JSON.stringify(result, null, 2) + '\n');
        const { perImage: _perImage, ...summary } = result;
        const cell = (e: { estimate: number; lower: number; upper: number }) => `${e.estimate.toFixed(3)} (${e.lower.toFixed(3)}–${e.upper.toFixed(3)})`;
        const lines = [
          `${result.n} fractured images with boxes; pointing tolerance ${result.tolerance} px; occlusion window ${result.occlusionWindow} px; the boxes cover ${(100 * result.boxAreaFraction).toFixed(1)} % of an image on average`,
          ...result.rows.map((row) => `  ${row.method.padEnd(13)} pointing ${cell(row.pointing)}  mass in boxes ${cell(row.massInBoxes)}`),
        ];
        output.result(summary, lines.join('\n'));
      } finally {
        predictor.dispose();
      }
    });

  program
    .command('backend')
    .description('show which compute engine would be used and why')
    .addOption(backendOption())
    .action(async (opts, command: Command) => {
      const output = out(command);
      const choice = await selectBackend(opts.backend === 'auto' ? {} : { prefer: opts.backend });
      // wasm's reason already says how relaxed SIMD came about; for the others it is only the engine's capability.
      const relaxed = choice.name === 'wasm' ? '' : `\nrelaxed SIMD (used by wasm only): ${choice.relaxedSimd ? 'yes' : 'no'}`;
      output.result(choice, `${choice.name}: ${choice.reason}${relaxed}`);
    });

  return program;
}

async function itemsFor(dataDir: string, manifest: string, protocol: CliProtocol, seed: number, part: 'train' | 'val' | 'test' | 'all', warn: (line: string) => void) {
  if (part === 'all') {
    const scan = await scanImageFolder(dataDir);
    if (scan.items.length === 0) throw new Error(`evaluate: no images found under ${dataDir}`);
    for (const problem of scan.unreadable) warn(`evaluate: left out ${problem.path}: ${problem.reason}`);
    for (const warning of scan.warnings ?? []) warn(`evaluate: ${warning}`);
    return scan.items;
  }
  if (await exists(manifest)) return (await readSplitManifest(manifest, { root: dataDir }))[part];
  const scan = await scanImageFolder(dataDir);
  return splitDataset(scan.items, { protocol: toSplitProtocol(protocol), seed })[part];
}

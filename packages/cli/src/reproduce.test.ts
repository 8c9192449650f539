import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanImageFolder } from '@fracture/preprocess';
import { loadTrainedModel } from './trained-model';
import { boxGalleryItems, describeTolerances, externalReading, localisationRows, readAuc } from './reproduce';
import type { ModelRunResult } from './reproduce';
import { fracAtlasDataset, runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(300_000);

describe('fracture reproduce and demo', () => {
  let work: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('reproduce');
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('reproduce writes report.md and report.html with both protocols, states the reduced budget, and resumes', async () => {
    const data = await syntheticDataset(path.join(work, 'data'), 160, 32);
    const out = path.join(work, 'report');
    const common = ['--data', data, '--models', 'cnn', '--bootstrap', '50', '--backend', 'wasm', '--cache-dir', path.join(work, 'cache'), '--out', out];
    // One process per protocol is how a 2-core machine runs both at once; per-model budgets are accepted.
    const paperOnly = ['--json', 'reproduce', ...common, '--protocol', 'paper', '--epochs', 'cnn=1', '--max-train-images', '64', '--note', "the machine's other core ran the grouped protocol"];
    const first = await runCli(paperOnly);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout).results.map((r: { protocol: string }) => r.protocol)).toEqual(['paper']);

    // Pictures left by an earlier run in the folder the grouped run is about to use.
    for (const folder of ['mistakes', 'gradcam']) {
      await fs.mkdir(path.join(out, 'grouped', 'cnn', folder), { recursive: true });
      await fs.writeFile(path.join(out, 'grouped', 'cnn', folder, 'from-an-earlier-run.png'), 'not a picture');
    }
    const both = ['--json', 'reproduce', ...common, '--epochs', '1', '--max-train-images', 'cnn=64'];
    const second = await runCli(both);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain('paper/cnn: already finished, skipping');
    const json = JSON.parse(second.stdout);
    expect(json.results.map((r: { protocol: string }) => r.protocol)).toEqual(['paper', 'grouped']);

    const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('98.24 %'); // the paper's CNN figure beside ours
    expect(markdown).toContain('**reduced**: 1 ep × 64 img');
    // Table 1 states the budget in the same row as the numbers it produced.
    const cnnRow = markdown.split('\n').find((line) => line.startsWith('| Custom CNN |'))!;
    expect(cnnRow).toMatch(/\| paper: \*\*reduced\*\*: 1 of 10 epochs, 64 of \d+ images; grouped: \*\*reduced\*\*: 1 of 10 epochs, 64 of \d+ images \|/);
    expect(cnnRow).toContain('| 98.24 % |');
    expect(markdown).toContain('paper: accuracy');
    expect(markdown).toContain('(50 resamples of whole source radiographs)');
    expect(markdown).toContain('grouped: accuracy');
    expect(markdown).toContain('evaluation time');
    // A note given to one process reaches the report assembled by another.
    expect(markdown).toContain("Note: the machine's other core ran the grouped protocol");
    expect(markdown).toContain(`Measured on: ${os.cpus()[0]!.model.trim()}, ${os.cpus().length} cores`);
    // Each result names the command that produced it.
    expect(markdown).toContain('produced by these commands');
    expect(markdown).toContain(`fracture ${paperOnly.slice(0, -1).join(' ')} 'the machine'\\''s other core ran the grouped protocol'`);
    expect(markdown).toContain(`fracture ${both.join(' ')}`);
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<table>');
    for (const image of markdown.match(/\]\(([^)]+\.png)\)/g) ?? []) {
      const file = decodeURI(image.slice(2, -1));
      await expect(fs.stat(path.join(out, file))).resolves.toBeTruthy();
    }
    // A model folder's pictures are exactly the ones the report shows: an earlier run's are gone.
    const shown = (markdown.match(/\]\(([^)]+\.png)\)/g) ?? []).map((image) => decodeURI(image.slice(2, -1)));
    for (const folder of ['mistakes', 'gradcam']) {
      const files = await fs.readdir(path.join(out, 'grouped', 'cnn', folder));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(shown).toContain(`grouped/cnn/${folder}/${file}`);
    }
    // The grouped split shares no source between its parts; the report says how many the paper split shares.
    expect(markdown).toMatch(/\| grouped \| \d+ \| \d+ \| \d+ \| 0 \|/);

    // Throughput is over the training steps alone; the full-run estimate adds one validation pass per epoch.
    for (const protocol of ['paper', 'grouped']) {
      const result = JSON.parse(await fs.readFile(path.join(out, protocol, 'cnn', 'result.json'), 'utf8'));
      const validation = result.history.map((epoch: { val_seconds: number }) => epoch.val_seconds);
      const steps = result.history.reduce((sum: number, epoch: { seconds: number; val_seconds: number }) => sum + epoch.seconds - epoch.val_seconds, 0);
      expect(result.throughputExcludesValidation).toBe(true);
      expect(result.imagesPerSecond).toBeCloseTo((result.trainImages * result.epochs) / steps, 6);
      const meanValidation = validation.reduce((a: number, b: number) => a + b, 0) / validation.length;
      expect(result.fullRunHours).toBeCloseTo((10 * (result.fullTrainImages / result.imagesPerSecond + meanValidation)) / 3600, 9);
      // The committed report names images relative to --data, not by this machine's folders.
      expect(result.mistakes.length).toBeGreaterThan(0);
      for (const mistake of result.mistakes as { path: string }[]) {
        expect(path.isAbsolute(mistake.path)).toBe(false);
        await expect(fs.stat(path.join(data, mistake.path))).resolves.toBeTruthy();
      }
    }

    const third = await runCli(both);
    expect(third.exitCode).toBe(0);
    expect(third.stderr).toContain('grouped/cnn: already finished, skipping');

    // External validation: a re-run with --external-data evaluates the finished runs whose model folders are there.
    const atlas = await fracAtlasDataset(path.join(work, 'atlas'));
    const groupedModel = path.join(out, 'grouped', 'cnn', 'model');
    const aside = path.join(work, 'grouped-model-aside');
    await fs.rename(groupedModel, aside);
    const fourth = await runCli([...both, '--external-data', atlas]);
    expect(fourth.exitCode).toBe(0);
    expect(fourth.stderr).toContain('paper/cnn: external validation on 40 images');
    expect(fourth.stderr).toMatch(/left out .*IMG0009999\.jpg: truncated JPEG/);
    expect(fourth.stderr).toContain('grouped/cnn: no model folder');
    const paperResult = JSON.parse(await fs.readFile(path.join(out, 'paper', 'cnn', 'result.json'), 'utf8'));
    expect(paperResult.external).toMatchObject({ dataset: 'atlas', n: 40, threshold: 0.5 });
    expect(paperResult.external.subgroups.map((g: { group: string }) => g.group)).toContain('implant: no');
    const methods = ['gradcam', 'gradcam++', 'occlusion', 'centre prior', 'uniform'];
    expect(paperResult.external.localisation.rows.map((r: { method: string }) => r.method)).toEqual(methods);
    // The literature's 15 px at 224 and a seventh of the input per occlusion window, scaled to the model's input.
    const { inputSize } = JSON.parse(await fs.readFile(path.join(out, 'paper', 'cnn', 'model', 'fracture-model.json'), 'utf8'));
    const tolerance = Math.round((15 * inputSize) / 224);
    expect(paperResult.external.localisation).toMatchObject({ tolerance, occlusionWindow: Math.round(inputSize / 7) });
    await expect(fs.stat(path.join(out, 'paper', 'cnn', 'external', 'localisation.progress.json'))).rejects.toThrow(/ENOENT/);
    await expect(fs.stat(path.join(out, 'paper', 'cnn', 'external', 'predictions.progress.json'))).rejects.toThrow(/ENOENT/);
    const external = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(external).toContain('## External validation on atlas');
    const section = external.split('## External validation on atlas')[1]!.split('\n## ')[0]!;
    const row = section.split('\n').find((line) => line.startsWith('| paper | Custom CNN | **reduced**'))!;
    expect(row).toContain(`| 40 (${paperResult.external.positives}) |`);
    expect(row).toContain(`| ${paperResult.external.metrics.auc.estimate.toFixed(3)} (`);
    expect(section).toContain('| paper | Custom CNN | gradcam |');
    // The atlas fixture's metadata gives the region-only and region-and-implant baselines their rows.
    expect(section).toMatch(/\| – \| baseline: region only \| no training \| – \| 40 \(\d+\) \| \d\.\d{3} \(/);
    expect(section).toContain('| – | baseline: region and implant only | no training |');
    expect(section).toContain("A score that knows only each image's body region");
    expect(section).toContain('| – | baseline, every model | centre prior |');
    expect(section).toContain(`the map's maximum inside a box or within ${tolerance} px of one, at the model's input size`);
    expect(section).toContain('Not validated externally (their model folders were not kept): grouped/Custom CNN.');
    // With its weights back, assembling the report says the run awaits validation (report-only validates nothing).
    await fs.rename(aside, groupedModel);
    const assembled = await runCli([...both, '--report-only', '--external-data', atlas]);
    expect(assembled.exitCode).toBe(0);
    expect(assembled.stderr).toContain('grouped/cnn: not validated on atlas yet (--report-only validates nothing; the command without it does)');
    expect(assembled.stderr).not.toContain('grouped/cnn: no model folder');
    const awaiting = (await fs.readFile(path.join(out, 'report.md'), 'utf8')).split('## External validation on atlas')[1]!.split('\n## ')[0]!;
    expect(awaiting).toContain('Trained, not validated externally yet (their weights are kept; the command without --report-only validates them): grouped/Custom CNN.');
    expect(awaiting).not.toContain('their model folders were not kept');
    await fs.rm(groupedModel, { recursive: true });
    // Grad-CAM panels with the radiologists' boxes: the evenly spaced fractured images, nothing chosen by result.
    const scan = await scanImageFolder(atlas);
    const chosen = boxGalleryItems(scan.items, 4);
    expect(chosen).toHaveLength(4);
    expect(paperResult.external.gallery.map((file: string) => path.basename(file).split('-')[0])).toEqual(chosen.map((file) => path.parse(file).name));
    expect(section).toContain("the radiologists' fracture boxes outlined in white");
    // The plain reading is computed from the same numbers as the table.
    const auc = paperResult.external.metrics.auc;
    expect(section).toContain(`AUC on atlas (against ${paperResult.metrics.auc.estimate.toFixed(3)}–${paperResult.metrics.auc.estimate.toFixed(3)} on the study's test set): ${readAuc(auc)}: Custom CNN (paper) ${auc.estimate.toFixed(3)}.`);
    expect(section).toMatch(/the models' maps do so Custom CNN \(paper\) gradcam \d+ %, gradcam\+\+ \d+ %, occlusion \d+ %\./);
    for (const file of paperResult.external.gallery) {
      expect(section).toContain(`](${file})`);
      await expect(fs.stat(path.join(out, file))).resolves.toBeTruthy();
    }

    // A run validated before a method was on the list gets just that method added, in its place, the same as before.
    const occlusion = paperResult.external.localisation.rows[2];
    const resultFile = path.join(out, 'paper', 'cnn', 'result.json');
    paperResult.external.localisation.rows.splice(2, 1);
    await fs.writeFile(resultFile, JSON.stringify(paperResult));
    const fifth = await runCli([...both, '--external-data', atlas]);
    expect(fifth.exitCode).toBe(0);
    expect(fifth.stderr).toContain(`paper/cnn: localisation of occlusion on ${paperResult.external.localisation.n} fractured atlas images`);
    expect(fifth.stderr).not.toContain('paper/cnn: external validation on');
    const merged = JSON.parse(await fs.readFile(resultFile, 'utf8')).external.localisation.rows;
    expect(merged.map((r: { method: string }) => r.method)).toEqual(methods);
    // The same maps again; their float32 sums on the wasm heap may round a little differently from run to run.
    expect(merged[2].pointing).toEqual(occlusion.pointing);
    for (const key of ['estimate', 'lower', 'upper']) expect(merged[2].massInBoxes[key]).toBeCloseTo(occlusion.massInBoxes[key], 6);
  });

  test('report-only assembles from a finished run and the last checkpoint of an unfinished one, and trains nothing', async () => {
    const data = await syntheticDataset(path.join(work, 'partial-data'), 120, 32);
    const out = path.join(work, 'partial-report');
    const cache = path.join(work, 'partial-cache');
    // An unfinished run: one epoch of the three reproduce asks for, in the folder reproduce trains into.
    const runDir = path.join(out, 'grouped', 'cnn');
    const trained = await runCli(['train', '--data', data, '--model', 'cnn', '--protocol', 'grouped', '--epochs', '1', '--backend', 'wasm', '--cache-dir', cache, '--out', runDir]);
    expect(trained.exitCode).toBe(0);
    // What reproduce records before training: here a process working to 3 epochs (the assembling command asks for 5).
    await fs.writeFile(path.join(runDir, 'reproduce-command.json'), JSON.stringify({ command: 'fracture reproduce (the training command)', notes: ['trained for the test'], epochs: 3 }));

    // A run stopped inside its first epoch: only a mid-epoch checkpoint, whose history lists no finished epoch.
    const firstEpoch = path.join(out, 'paper', 'cnn');
    await fs.mkdir(path.join(firstEpoch, 'checkpoints'), { recursive: true });
    await fs.cp(path.join(runDir, 'checkpoints', 'last'), path.join(firstEpoch, 'checkpoints', 'mid-epoch'), { recursive: true });
    await fs.copyFile(path.join(runDir, 'run-settings.json'), path.join(firstEpoch, 'run-settings.json'));
    const midState = path.join(firstEpoch, 'checkpoints', 'mid-epoch', 'state.json');
    const state = JSON.parse(await fs.readFile(midState, 'utf8'));
    await fs.writeFile(midState, JSON.stringify({ ...state, epoch: -1, history: [], inEpoch: { epoch: 0, batches: 1, lossSum: 1, correct: 1, seen: 2, seconds: 1 } }));

    // Pictures of an earlier checkpoint's evaluation, which a new evaluation replaces.
    for (const folder of ['mistakes', 'gradcam']) {
      await fs.mkdir(path.join(runDir, 'partial', folder), { recursive: true });
      await fs.writeFile(path.join(runDir, 'partial', folder, 'from-an-older-checkpoint.png'), 'not a picture');
    }

    const assemble = ['--json', 'reproduce', '--report-only', '--data', data, '--models', 'cnn', '--epochs', '5', '--bootstrap', '20', '--backend', 'wasm', '--cache-dir', cache, '--out', out];
    const first = await runCli(assemble);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('paper/cnn: no epoch finished yet (no epoch-end checkpoint in');
    expect(first.stderr).toContain('grouped/cnn: unfinished: evaluating its last checkpoint (1 of 3 epochs');
    // Nothing trained, nothing marked finished.
    expect(await fs.readdir(path.join(firstEpoch, 'checkpoints'))).toEqual(['mid-epoch']);
    await expect(fs.stat(path.join(firstEpoch, 'result.json'))).rejects.toThrow();
    await expect(fs.stat(path.join(runDir, 'result.json'))).rejects.toThrow();

    // The exported checkpoint is the trained model: after its only epoch the two hold the same weights.
    const fromCheckpoint = await loadTrainedModel(path.join(runDir, 'partial', 'model'));
    const fromTraining = await loadTrainedModel(path.join(runDir, 'model'));
    try {
      const a = fromCheckpoint.model.getWeights();
      const b = fromTraining.model.getWeights();
      expect(a.map((w) => w.shape)).toEqual(b.map((w) => w.shape));
      for (let i = 0; i < a.length; i++) expect(Array.from(a[i]!.dataSync())).toEqual(Array.from(b[i]!.dataSync()));
      expect(fromCheckpoint.info.training).toMatchObject({ partial: true, epochs: 1 });
    } finally {
      fromCheckpoint.model.dispose();
      fromTraining.model.dispose();
    }

    const json = JSON.parse(first.stdout);
    expect(json.results).toHaveLength(1);
    expect(json.results[0]).toMatchObject({ protocol: 'grouped', epochs: 1, partial: { plannedEpochs: 3 } });
    expect(json.results[0].trainImages).toBe(json.results[0].fullTrainImages);
    const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    const row = markdown.split('\n').find((line) => line.startsWith('| Custom CNN |'))!;
    expect(row).toMatch(/\*\*partial\*\* \(still training; its last checkpoint\): 1 of 3 epochs, all training images/);
    expect(markdown).toContain('Still training when this report was assembled: the figures are of its last checkpoint, after 1 of 3 epochs');
    // The row names the command that is training it, not the one that assembled the report.
    expect(markdown).toContain('fracture reproduce (the training command)');
    expect(markdown).toContain('Note: trained for the test');
    const shown = (markdown.match(/\]\(([^)]+\.png)\)/g) ?? []).map((image) => decodeURI(image.slice(2, -1)));
    for (const image of shown) await expect(fs.stat(path.join(out, image))).resolves.toBeTruthy();
    // The partial folder's pictures are exactly the ones the report shows.
    for (const folder of ['mistakes', 'gradcam']) {
      const files = await fs.readdir(path.join(runDir, 'partial', folder));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) expect(shown).toContain(`grouped/cnn/partial/${folder}/${file}`);
    }

    // Assembling again reuses the evaluation until the checkpoint moves on.
    const second = await runCli(assemble);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).not.toContain('evaluating its last checkpoint');
    expect(JSON.parse(second.stdout).results[0].metrics).toEqual(json.results[0].metrics);

    // A finished model the study fine-tuned from ImageNet, trained here from scratch: its row and a paragraph say so.
    const { partial: _partial, ...finished } = JSON.parse(await fs.readFile(path.join(runDir, 'partial', 'result.json'), 'utf8'));
    await fs.mkdir(path.join(out, 'grouped', 'resnet18'), { recursive: true });
    await fs.writeFile(path.join(out, 'grouped', 'resnet18', 'result.json'), JSON.stringify({ ...finished, modelName: 'resnet18', pretrainedWeights: null }));
    const third = await runCli([...assemble.slice(0, 5), '--models', 'cnn,resnet18', ...assemble.slice(7)]);
    expect(third.exitCode).toBe(0);
    const withResnet = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(withResnet.split('\n').find((line) => line.startsWith('| ResNet-18 |'))).toContain('| paper: yes; here: no (from scratch) |');
    expect(withResnet).toContain("ResNet-18 started from random weights here, where the study fine-tuned ImageNet weights");
    expect(withResnet).toContain('`--weights resnet18=<resnet18>.pth`');
    // The custom CNN was never pretrained, in the study or here.
    expect(withResnet.split('\n').find((line) => line.startsWith('| Custom CNN |'))).toContain('| paper: no; here: no |');

    // Training on to the planned epochs finishes the run: its own figures replace the checkpoint's partial folder.
    const finish = await runCli(['--json', 'reproduce', '--data', data, '--models', 'cnn', '--protocol', 'grouped', '--epochs', '3', '--bootstrap', '20', '--backend', 'wasm', '--cache-dir', cache, '--out', out]);
    expect(finish.exitCode).toBe(0);
    expect(JSON.parse(finish.stdout).results.find((r: { modelName: string }) => r.modelName === 'cnn')).toMatchObject({ epochs: 3 });
    await expect(fs.stat(path.join(runDir, 'partial'))).rejects.toThrow(/ENOENT/);
    expect(await fs.readFile(path.join(out, 'report.md'), 'utf8')).not.toContain('grouped/cnn/partial/');

    // Weights that are not there are refused before anything runs.
    const missing = await runCli(['reproduce', '--data', data, '--models', 'resnet18', '--weights', `resnet18=${path.join(work, 'nope.pth')}`, '--out', path.join(work, 'never')]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain(`reproduce: the resnet18 weights ${path.join(work, 'nope.pth')} do not exist`);
    await expect(fs.stat(path.join(work, 'never'))).rejects.toThrow();
  });

  test('readAuc reads an AUC interval against chance', () => {
    expect(readAuc({ lower: 0.51, upper: 0.7 })).toBe('better than chance');
    expect(readAuc({ lower: 0.5, upper: 0.7 })).toBe('not distinguishable from chance');
    expect(readAuc({ lower: 0.3, upper: 0.52 })).toBe('not distinguishable from chance');
    expect(readAuc({ lower: 0.3, upper: 0.49 })).toBe('worse than chance (its scores run the wrong way)');
  });

  test('boxGalleryItems spreads its picks evenly over the fractured images with boxes, in id order', () => {
    const item = (id: number, label: number, boxed: boolean) => ({ path: `/a/IMG${String(id).padStart(7, '0')}.jpg`, label, className: label === 0 ? 'fractured' : 'not fractured', sourceId: String(id), boxes: boxed ? [{ x: 1, y: 1, width: 2, height: 2 }] : undefined });
    // Ten fractured images with boxes (ids 0..9, listed out of order), plus ones that must never be picked.
    const items = [...[9, 3, 0, 5, 1, 8, 2, 7, 4, 6].map((id) => item(id, 0, true)), item(20, 0, false), item(21, 1, true)];
    // Picks at floor((k + 0.5) * 10 / 4): 1, 3, 6, 8.
    expect(boxGalleryItems(items, 4).map((p) => Number(p.slice(-11, -4)))).toEqual([1, 3, 6, 8]);
    expect(boxGalleryItems(items.slice(0, 3), 4)).toHaveLength(3);
  });

  test('demo trains, evaluates and writes its report', async () => {
    const out = path.join(work, 'demo');
    const result = await runCli(['--json', 'demo', '--out', out, '--images', '160', '--epochs', '2', '--backend', 'wasm']);
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.testImages).toBeGreaterThan(0);
    const report = await fs.readFile(json.report, 'utf8');
    expect(report).toContain('# fracture-ai demo');
    expect(report).toContain('gradcam/');
  });
});

describe('describeTolerances', () => {
  const run = (modelName: string, protocol: string, tolerance: number) => ({ modelName, protocol, external: { localisation: { tolerance } } }) as unknown as ModelRunResult;

  test('one figure when every model used it', () => {
    expect(describeTolerances([run('cnn', 'paper', 15), run('resnet18', 'grouped', 15)])).toBe('15 px');
  });

  test('the common figure, then the others by model', () => {
    const text = describeTolerances([run('cnn', 'paper', 15), run('efficientnet-b3', 'paper', 20), run('mobilenetv2', 'paper', 15), run('efficientnet-b3', 'grouped', 20)]);
    expect(text).toBe('15 px (20 px for EfficientNet-B3 (paper), EfficientNet-B3 (grouped): the same share of a larger input)');
  });
});

describe('the external validation reading', () => {
  const interval = (estimate: number, lower: number, upper: number) => ({ estimate, lower, upper, alpha: 0.05, nBoot: 1000, skipped: 0, stratified: true, method: 'percentile' as const });
  const maps = (gradcam: number, gradcamLower: number, prior: number) => [
    { method: 'gradcam', pointing: interval(gradcam, gradcamLower, gradcam + 0.05), massInBoxes: interval(0.02, 0.01, 0.03) },
    { method: 'centre prior', pointing: interval(prior, prior - 0.05, prior + 0.05), massInBoxes: interval(0.017, 0.015, 0.019) },
    { method: 'uniform', pointing: interval(0.05, 0.047, 0.054), massInBoxes: interval(0.009, 0.008, 0.01) },
  ];
  const run = (modelName: string, protocol: string, inDataset: number, auc: [number, number, number], rows: ReturnType<typeof maps>) =>
    ({
      modelName,
      protocol,
      metrics: { auc: interval(inDataset, inDataset - 0.01, Math.min(1, inDataset + 0.01)) },
      external: {
        dataset: 'fracatlas',
        n: 3107,
        positives: 483,
        metrics: { auc: interval(...auc), recall: interval(0.872, 0.84, 0.9), specificity: interval(0.232, 0.21, 0.25) },
        localisation: { rows },
      },
    }) as unknown as ModelRunResult;
  const runs = [
    run('cnn', 'paper', 0.996, [0.541, 0.492, 0.585], maps(0.055, 0.034, 0.297)),
    run('mobilenetv2', 'paper', 1, [0.656, 0.614, 0.697], maps(0.104, 0.075, 0.297)),
    run('resnet18', 'grouped', 0.844, [0.636, 0.594, 0.672], maps(0.42, 0.35, 0.297)),
    run('efficientnet-b3', 'grouped', 0.6, [0.45, 0.41, 0.49], maps(0.1, 0.08, 0.31)),
  ];

  test('groups the runs by what their AUC interval says (better than chance first), best first within a group, and names the best operating point', () => {
    const text = externalReading(runs, 'fracatlas');
    expect(text).toContain(
      "AUC on fracatlas (against 0.600–1.000 on the study's test set): better than chance: MobileNetV2 (paper) 0.656 and ResNet-18 (grouped) 0.636; " +
        'not distinguishable from chance: Custom CNN (paper) 0.541; worse than chance (its scores run the wrong way): EfficientNet-B3 (grouped) 0.450.',
    );
    // MobileNetV2's interval ends at 0.697, below 0.7.
    expect(text).toContain('The best, MobileNetV2 (paper), finds 87 % of the fractures at its own threshold and clears 23 % of the radiographs without one; with its AUC interval below 0.7');
    expect(text).toContain('`fracatlas-mobilenetv2`');
  });

  test('names only the maps whose pointing interval lies above their own prior', () => {
    const text = externalReading(runs, 'fracatlas');
    // Two priors (30 % and 31 %): each model's is given beside its maps.
    expect(text).toContain('Custom CNN (paper) gradcam 6 % (prior 30 %)');
    expect(text).toContain("Beating the prior (the interval's lower end above it): ResNet-18 (grouped)'s gradcam; every other map does not show where the fracture is.");
    const none = externalReading(runs.slice(0, 2), 'fracatlas');
    expect(none).toContain('A centred blob that ignores the image points at the fracture 30 % of the time; the models\' maps do so Custom CNN (paper) gradcam 6 %; MobileNetV2 (paper) gradcam 10 %.');
    expect(none).toContain('No map clearly beats the prior');
  });

  test('compares each run with what the body region alone reaches', () => {
    const region = { name: 'region', auc: interval(0.62, 0.6, 0.64), values: 5 };
    const withImplant = { name: 'region and implant', auc: interval(0.64, 0.62, 0.66), values: 10 };
    const text = externalReading(runs, 'fracatlas', [region, withImplant]);
    expect(text).toContain("reaches AUC 0.620 (0.600–0.640), and 0.640 (0.620–0.660) when it also knows whether an implant shows");
    // MobileNetV2's interval starts at 0.614, ResNet-18's at 0.594: neither lies above 0.62.
    expect(text).toContain("No model's AUC interval lies above the region-only score's AUC.");
    const lower = externalReading(runs, 'fracatlas', [{ ...region, auc: interval(0.55, 0.53, 0.57) }]);
    expect(lower).toContain('Above the region-only score (the interval\'s lower end above its AUC): MobileNetV2 (paper) and ResNet-18 (grouped).');
    expect(lower).not.toContain('implant shows');
  });

  test('lists the baselines once per distinct result, after every model\'s maps', () => {
    const rows = localisationRows(runs);
    expect(rows.slice(0, 4).map((row) => row.slice(0, 3).join(' '))).toEqual(['paper Custom CNN gradcam', 'paper MobileNetV2 gradcam', 'grouped ResNet-18 gradcam', 'grouped EfficientNet-B3 gradcam']);
    // The 0.31 prior of EfficientNet-B3 differs; the uniform map is the same for all four.
    expect(rows.slice(4).map((row) => row.slice(0, 4))).toEqual([
      ['–', 'baseline for Custom CNN, MobileNetV2, and ResNet-18', 'centre prior', '0.297 (0.247–0.347)'],
      ['–', 'baseline for EfficientNet-B3', 'centre prior', '0.310 (0.260–0.360)'],
      ['–', 'baseline, every model', 'uniform', '0.050 (0.047–0.054)'],
    ]);
  });
});

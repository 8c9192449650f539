// One real call per package, the same in ESM and CommonJS: enough to prove that the published entry points load,
// resolve their dependencies from a registry install and work.
export const SMOKE = {
  '@fracture/preprocess': `
    const image = { width: 2, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array([7, 200]) };
    const back = m.decodeImage(m.encodePng(image));
    check(back.width === 2 && back.data[0] === 7 && back.data[1] === 200, 'PNG round trip');`,
  '@fracture/models': `
    check(m.getModelSpec('resnet18').inputSize === 224 && m.MODEL_NAMES.length === 4, 'model registry');`,
  '@fracture/metrics': `
    check(Math.abs(m.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], { positiveLabel: 1 }) - 0.75) < 1e-12, 'rocAuc');`,
  '@fracture/backend': `
    const chosen = await m.selectBackend({ prefer: 'cpu', allowTensorflow: false });
    check(chosen.name === 'cpu', 'selectBackend');`,
  '@fracture/train': `
    check(m.paperPreset('cnn').epochs === 10 && typeof m.train === 'function', 'paperPreset');`,
  '@fracture/explain': `
    const rgb = m.colormap(new Float32Array([0, 1]), 'gray');
    check(rgb.length === 6 && rgb[0] === 0 && rgb[3] === 255, 'colormap');`,
  '@fracture/pretrained': `
    const name = m.PRETRAINED_MODEL_NAMES[0];
    check(m.getModelCard(name).metrics.test.auc.estimate > 0.5 && m.pretrainedModelDir(name).endsWith(name), 'model cards and the installed model folder');`,
  '@fracture/cli': `
    check(typeof m.createProgram === 'function' && m.createProgram().name() === 'fracture', 'createProgram');`,
};

/** The smoke program for `name` as an ES module or a CommonJS script. */
export function smokeProgram(name, format) {
  const body = `${SMOKE[name]}\n    console.log('ok');`;
  const check = "const check = (ok, what) => { if (!ok) throw new Error('smoke check failed: ' + what); };";
  return format === 'esm'
    ? `import * as m from '${name}';\n${check}\n${body}\n`
    : `const m = require('${name}');\n${check}\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });\n`;
}

import { PNG } from 'pngjs';
import { plotTrainingCurves } from './plot-training-curves';
import { plotTrainingCurvesPng } from './plot-png';

const history = [
  { epoch: 0, loss: 0.69, acc: 0.52, val_loss: 0.68, val_acc: 0.55 },
  { epoch: 1, loss: 0.4, acc: 0.81, val_loss: 0.45, val_acc: 0.79 },
  { epoch: 2, loss: 0.2, acc: 0.93, val_loss: 0.3, val_acc: 0.88 },
];

describe('plotTrainingCurves', () => {
  test('draws four series with markers, labelled axes and a legend', () => {
    const svg = plotTrainingCurves(history, { title: 'CNN' });
    expect(svg).toContain('<title>CNN</title>');
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)!.length).toBe(4 * 3 + 2); // points plus the two legend markers
    for (const label of ['Epoch', 'Cross-entropy loss', 'Accuracy', 'training', 'validation']) expect(svg).toContain(`>${label}<`);
  });

  test('without validation data only the training series and its legend entry appear', () => {
    const svg = plotTrainingCurves(history.map(({ epoch, loss, acc }) => ({ epoch, loss, acc })));
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).not.toContain('>validation<');
  });

  test('renders to a non-blank PNG of the requested size', () => {
    const png = PNG.sync.read(Buffer.from(plotTrainingCurvesPng(history, { scale: 1 })));
    expect([png.width, png.height]).toEqual([960, 440]);
    const distinct = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) distinct.add(png.data.readUInt32BE(i));
    expect(distinct.size).toBeGreaterThan(4);
  });

  test('rejects empty or broken histories with a named error', () => {
    expect(() => plotTrainingCurves([])).toThrow('plotTrainingCurves: expected a non-empty history');
    expect(() => plotTrainingCurves([{ epoch: 0, loss: Number.NaN }])).toThrow('plotTrainingCurves: history[0].loss');
  });
});

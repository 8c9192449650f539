import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { epochLogs, fakeContext } from '../test/fake-context';
import { historyToCsv, historyWriter } from './history-writer';

describe('history files', () => {
  test('CSV has one row per epoch (1-based) and empty cells for missing metrics', () => {
    const csv = historyToCsv([epochLogs(0, { loss: 0.5, acc: 0.7, lr: 0.1, seconds: 2 }), epochLogs(1, { loss: 0.25, acc: 0.8, lr: 0.1, seconds: 2, val_loss: 0.3 })]);
    expect(csv).toBe('epoch,loss,acc,lr,seconds,val_loss\n1,0.5,0.7,0.1,2,\n2,0.25,0.8,0.1,2,0.3\n');
  });

  test('historyWriter writes CSV and JSON after each epoch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-history-'));
    try {
      const writer = historyWriter({ csv: path.join(dir, 'h.csv'), json: path.join(dir, 'sub', 'h.json') });
      const ctx = fakeContext();
      ctx.history.push(epochLogs(0, { loss: 0.5 }));
      await writer.onEpochEnd?.(ctx.history[0]!, ctx);
      expect(fs.readFileSync(path.join(dir, 'h.csv'), 'utf8').split('\n')[1]).toBe('1,0.5,0.5,0.1,1');
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'sub', 'h.json'), 'utf8'))).toEqual([{ ...ctx.history[0], epoch: 1 }]);
      expect(fs.readdirSync(dir).sort()).toEqual(['h.csv', 'sub']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

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

describe('history files on a full disk', () => {
  test('the error names the history file, and no temporary file is left', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-history-full-'));
    const { spawnSync } = await import('node:child_process');
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', parent]).status === 0;
    try {
      if (!mounted) {
        console.warn('history full-disk test skipped: no tmpfs here (not root, or mount refused); writeCheckpoint has a simulated one');
        return;
      }
      const csv = path.join(parent, 'history.csv');
      const writer = historyWriter({ csv });
      const ctx = fakeContext();
      // About 20 KB of history: more than the 8 KB disk holds.
      for (let epoch = 0; epoch < 400; epoch++) ctx.history.push(epochLogs(epoch, { loss: 1 / (epoch + 1) }));
      await expect(writer.onEpochEnd!(ctx.history[ctx.history.length - 1]!, ctx)).rejects.toMatchObject({
        code: 'ENOSPC',
        message: expect.stringMatching(new RegExp(`^historyWriter: cannot write ${csv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOSPC`)),
      });
      expect(fs.readdirSync(parent)).toEqual([]);
    } finally {
      if (mounted) spawnSync('umount', [parent]);
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

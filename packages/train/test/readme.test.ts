import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { extractBlocks, runBlock } = require('../../../tools/readme-blocks/readme-blocks.cjs') as typeof import('../../../tools/readme-blocks/readme-blocks.cjs');

jest.setTimeout(300_000);

const README = path.join(__dirname, '..', 'README.md');

describe('README', () => {
  let cwd: string;
  beforeEach(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'fracture-train-readme-'));
  });
  afterEach(async () => {
    await fs.rm(cwd, { recursive: true, force: true });
  });

  test('the main example trains, checkpoints and writes its history as written', async () => {
    const [block] = extractBlocks(await fs.readFile(README, 'utf8')).filter((b) => b.lang === 'ts');
    expect(block!.code).toContain('paperPreset');
    runBlock(block!, { cwd, name: 'train-readme' });
    const history = JSON.parse(await fs.readFile(path.join(cwd, 'runs', 'cnn', 'history.json'), 'utf8')) as { epoch: number; val_acc: number }[];
    expect(history).toHaveLength(2);
    expect(history[1]!.val_acc).toBeGreaterThanOrEqual(0);
    expect((await fs.readdir(path.join(cwd, 'runs', 'cnn'))).sort()).toEqual(expect.arrayContaining(['history.csv', 'last']));
  });
});

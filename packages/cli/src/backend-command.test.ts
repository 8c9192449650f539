import { detectRelaxedSimd } from '@fracture/backend';
import { runCli } from './testing/fixtures';

describe('fracture backend', () => {
  test('--json reports the engine and whether relaxed SIMD validates, as the engine says after enabling it', async () => {
    const result = await runCli(['--json', 'backend', '--backend', 'wasm']);
    expect(result.exitCode).toBe(0);
    const choice = JSON.parse(result.stdout) as { name: string; reason: string; relaxedSimd: boolean };
    expect(choice.name).toBe('wasm');
    expect(choice.relaxedSimd).toBe(detectRelaxedSimd());
    expect(choice.reason).toMatch(choice.relaxedSimd ? /relaxed SIMD: yes \(/ : /relaxed SIMD: no \(/);
  });

  test('the text output says how relaxed SIMD came about on wasm, and states it on the other engines', async () => {
    const wasm = await runCli(['backend', '--backend', 'wasm']);
    expect(wasm.stdout).toMatch(/^wasm: .*, relaxed SIMD: (yes|no) \(.+\)\n$/);
    const cpu = await runCli(['backend', '--backend', 'cpu']);
    expect(cpu.stdout).toMatch(new RegExp(`^cpu: .*\\nrelaxed SIMD \\(used by wasm only\\): ${detectRelaxedSimd() ? 'yes' : 'no'}\\n$`));
  });
});

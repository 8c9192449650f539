import { pretrainedModelDir } from '@fracture/pretrained/node';

/** What a command was told about its model: a shipped model's name or a model folder. */
export interface ModelChoice {
  model?: string;
  modelDir?: string;
}

/**
 * The folder of the model a command should use: `--model <name>` is a model shipped with @fracture/pretrained,
 * `--model-dir <dir>` a folder written by `fracture train`; `fallbackDir` (the demo's model for `serve`) when
 * neither is given. Exactly one source is allowed, so that a typo never silently picks the other.
 */
export function resolveModelDir(command: string, choice: ModelChoice, fallbackDir?: string): string {
  if (choice.model !== undefined && choice.modelDir !== undefined) {
    throw new Error(`${command}: pass --model <name> or --model-dir <dir>, not both`);
  }
  if (choice.model !== undefined) {
    try {
      return pretrainedModelDir(choice.model);
    } catch (error) {
      throw new Error(`${command}: ${(error as Error).message.replace(/^getModelCard: /, '')} (list them with 'fracture models')`);
    }
  }
  if (choice.modelDir !== undefined) return choice.modelDir;
  if (fallbackDir !== undefined) return fallbackDir;
  throw new Error(`${command}: pass --model <name> (a shipped model: 'fracture models') or --model-dir <dir> (a folder written by 'fracture train')`);
}

import { explainWasmTrap } from '@fracture/backend';

/** The one line `fracture` prints for an error that ends a command. */
export function formatCliError(error: unknown): string {
  return `fracture: ${explainWasmTrap(error) ?? (error instanceof Error ? error.message : String(error))}`;
}

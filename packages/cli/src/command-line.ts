/** Joins arguments into a command a POSIX shell reads back as the same arguments (for reports). */
export function formatCommandLine(args: readonly string[]): string {
  return args.map((arg) => (/^[\w./=,:@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A file name fit for one line of text output: names holding control characters (a newline would split a
 * result line in two, a carriage return or escape sequence would rewrite the terminal) are shown as a quoted
 * JSON string, `"a\nb.png"`; every other name is shown as it is.
 */
export function displayPath(file: string): string {
  if (!UNSAFE.test(file)) return file;
  // JSON.stringify leaves DEL, C1 controls and the Unicode line separators raw; JSON.parse reads them escaped.
  return JSON.stringify(file).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

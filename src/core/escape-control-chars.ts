/**
 * `text` with C0 and C1 control characters (and DEL) written as `\xNN`, so a name from an
 * upstream or a cassette cannot move the cursor, recolour or retitle the user's terminal.
 */
export function escapeControlChars(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

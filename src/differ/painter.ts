/** How formatted output is styled: each function wraps text (chalk's colour functions fit). */
export interface Painter {
  added: (text: string) => string;
  removed: (text: string) => string;
  changed: (text: string) => string;
  dim: (text: string) => string;
  bold: (text: string) => string;
}

const same = (text: string): string => text;

/** A painter that leaves text as it is, for pipes, files and NO_COLOR. */
export const plainPainter: Painter = { added: same, removed: same, changed: same, dim: same, bold: same };

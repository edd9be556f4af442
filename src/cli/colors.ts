import { Chalk } from 'chalk';

/** The chalk instance every command renders with: plain when NO_COLOR is set (no-color.org) or output is not a TTY. */
export const colors = new Chalk(process.env.NO_COLOR ? { level: 0 } : {});

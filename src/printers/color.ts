import pc from 'picocolors';

/** The colour functions a printer uses; identity functions when colour is off. */
export type Palette = ReturnType<typeof pc.createColors>;

/** What colour detection reads from a stream. */
export interface ColorTarget {
  isTTY?: boolean | undefined;
}

/**
 * Whether a printer writing to `stream` uses colour. In order: the `color` option decides when
 * given; `FORCE_COLOR` forces colour on (`FORCE_COLOR=0` or `false` forces it off); `NO_COLOR`
 * (set and not empty) turns it off; otherwise colour is on when the stream is a TTY (and `TERM`
 * is not `dumb`).
 */
export function resolveColor(
  stream: ColorTarget,
  option: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (option !== undefined) return option;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A palette for one printer: colours on or off, independent of other printers. */
export function createPalette(enabled: boolean): Palette {
  return pc.createColors(enabled);
}

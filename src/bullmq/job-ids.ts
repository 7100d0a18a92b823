/**
 * Job ids: one per run, derived from the coordinator's state id and the run's address, so a
 * resumed coordinator finds the job of a run it had already sent. BullMQ refuses `:` in custom
 * ids (and addresses are made of `::`), so the address is encoded, reversibly.
 */

const PREFIX = 'rh';
const SEPARATOR = '|';

/** `%`, `:` and `|` written as `%25`, `%3A`, `%7C`; everything else as it is. */
function encodePart(text: string): string {
  return text.replace(/[%:|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodePart(text: string): string {
  return text.replace(/%(25|3A|7C)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The job id of the run at `address` of state `stateId`, e.g. `rh|run-1|Pipeline%3A%3AFetch%3A%3Atool_call`. */
export function jobIdOf(stateId: string, address: string): string {
  return `${PREFIX}${SEPARATOR}${encodePart(stateId)}${SEPARATOR}${encodePart(address)}`;
}

/** The state id and address a job id was made from, or `undefined` for another job's id. */
export function parseJobId(jobId: string): { stateId: string; address: string } | undefined {
  const parts = jobId.split(SEPARATOR);
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  return { stateId: decodePart(parts[1] as string), address: decodePart(parts[2] as string) };
}

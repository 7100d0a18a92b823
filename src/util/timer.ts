/** The longest delay Node's `setTimeout` honours; a longer one fires at once (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A running timer; `clear()` stops it (and does nothing once it fired). */
export interface Timer {
  clear(): void;
}

/**
 * `setTimeout` for any finite duration. Node fires a delay above 2^31−1 ms (about 24.8 days) at
 * once; this chains timers instead, so a long deadline fires when asked and never early.
 * `unref` lets the process exit while only this timer is pending.
 */
export function startTimer(
  callback: () => void,
  ms: number,
  { unref = false }: { unref?: boolean } = {},
): Timer {
  let handle: ReturnType<typeof setTimeout>;
  if (ms <= MAX_TIMER_MS) {
    handle = setTimeout(callback, ms);
    if (unref) handle.unref?.();
    return { clear: () => clearTimeout(handle) };
  }
  const deadline = Date.now() + ms;
  const arm = (): void => {
    const remaining = deadline - Date.now();
    handle =
      remaining > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(callback, remaining);
    if (unref) handle.unref?.();
  };
  arm();
  return { clear: () => clearTimeout(handle) };
}

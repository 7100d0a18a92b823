/** @internal The key of a state's internals; not exported from the package root. */
export const INTERNAL = Symbol('rh-agents.internal');

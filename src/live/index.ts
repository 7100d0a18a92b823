/**
 * `rh-agents/live`: a live web view of running pipelines, served by `node:http` with
 * Server-Sent Events, with a self-contained page (nothing is fetched from elsewhere).
 */
export { serveLiveView } from './serve-live-view.js';
export type { LiveView } from './serve-live-view.js';
export { defaultLiveViewOptions, isLoopbackHost } from './options.js';
export type { LiveViewOptions } from './options.js';
export { LiveViewListenError } from './errors.js';
export type {
  LiveStateSnapshot,
  LiveStateSource,
  LiveStateSummary,
  LiveStoredRecord,
} from './state-source.js';

/**
 * Module resolution hooks for running documentation snippets (see snippet-checker.ts), registered
 * after tsx: `rh-agents` resolves to `src/index.ts`, `rh-agents/<sub>` to `src/<sub>/index.ts`,
 * and any other bare specifier imported from outside the repository (the snippet in its temporary
 * directory) resolves as if imported from the repository root, so `zod` is the project's copy.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let root = '';
let rootUrl = '';

export function initialize(data) {
  root = data.root;
  rootUrl = pathToFileURL(root).href + '/';
}

const bare = (specifier) => !/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier);

export function resolve(specifier, context, nextResolve) {
  if (specifier === 'rh-agents') {
    return nextResolve(pathToFileURL(join(root, 'src', 'index.ts')).href, context);
  }
  if (specifier.startsWith('rh-agents/')) {
    const sub = specifier.slice('rh-agents/'.length);
    return nextResolve(pathToFileURL(join(root, 'src', sub, 'index.ts')).href, context);
  }
  if (bare(specifier) && context.parentURL && !context.parentURL.startsWith(rootUrl)) {
    return nextResolve(specifier, { ...context, parentURL: `${rootUrl}package.json` });
  }
  return nextResolve(specifier, context);
}

import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

/**
 * The `yaml` package, loaded on first use: manifests decode with js-yaml, and `yaml` (alias-bomb guard, line
 * positions, config files) is needed only for some documents, yet loading it costs a third of a one-file scan's
 * start-up. It ships CommonJS for Node, so `require` loads it synchronously.
 */
export function yamlLib(): typeof Yaml {
  lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return lib;
}

import { defaultConfig, loadConfigFile } from './config/load.js';
import type { EffectiveConfig } from './config/types.js';
import { allMutators } from './mutators/registry.js';
import { allRules } from './rules/registry.js';
import { Engine } from './engine/engine.js';

/** The config from a file, or the embedded defaults when no file is given. */
export function loadEffectiveConfig(path: string | undefined): EffectiveConfig {
  return path === undefined ? defaultConfig(allRules, allMutators) : loadConfigFile(path, allRules, allMutators);
}

export function buildEngine(config: EffectiveConfig): Engine {
  return new Engine(allRules, allMutators, config);
}

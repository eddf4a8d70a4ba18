import type { Mutator } from '../engine/types.js';
import reloaderAnnotations from './reloader-annotations.js';

/** Every mutator secretguard ships. */
export const allMutators: readonly Mutator[] = [reloaderAnnotations];

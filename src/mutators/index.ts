import type { Mutator } from '../engine/types.js';

/** Every mutator secretguard ships. */
export const allMutators: readonly Mutator[] = [];

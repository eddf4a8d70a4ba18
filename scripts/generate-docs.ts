import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allMutators } from '../src/mutators/registry.js';
import { renderRulesTable, replaceRulesTable } from '../src/rules/docs.js';
import { allRules } from '../src/rules/registry.js';

// Compiled to dist/scripts/; the repository root is two levels up.
const root = join(import.meta.dirname, '..', '..');
const readmePath = join(root, 'README.md');
const updated = replaceRulesTable(readFileSync(readmePath, 'utf8'), renderRulesTable(allRules, allMutators));
writeFileSync(readmePath, updated);
process.stdout.write(`README.md rules table: ${allRules.length} rules, ${allMutators.length} mutators\n`);

// Child process for rule-fault.test.ts: the real CLI with one shipped rule made to throw, a deliberate
// fault planted through the rule registry before the CLI loads it. Not a test file.
// argv: <rule id> <fault> <cli args…>
import type { Rule } from '../../src/engine/types.js';
import { allRules } from '../../src/rules/registry.js';
import { FAULTS } from '../server/faults.js';

const [ruleId = '', fault = '', ...args] = process.argv.slice(2);
const rule = allRules.find((r) => r.meta.id === ruleId) as { check: Rule['check'] } | undefined;
const plant = FAULTS[fault];
if (rule === undefined || plant === undefined) throw new Error('unknown rule or fault');
rule.check = plant(rule.check);
process.argv = [process.argv[0] ?? 'node', process.argv[1] ?? '', ...args];
await import('../../src/cli/main.js');

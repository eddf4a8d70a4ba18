import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { allMutators } from '../../src/mutators/registry.js';
import { mutatorDocsPath, renderRulesTable, replaceRulesTable, ruleDocsPath } from '../../src/rules/docs.js';
import { allRules } from '../../src/rules/registry.js';

// Compiled to dist/test/meta/; the repository root is three levels up.
const root = join(import.meta.dirname, '..', '..', '..');

t.test('every rule file is registered, tested and documented', async (t) => {
  const files = readdirSync(join(root, 'src/rules')).filter((f) => f.endsWith('.ts') && f !== 'registry.ts' && f !== 'docs.ts');
  const ids = allRules.map((r) => r.meta.id);
  t.same([...files].sort(), ids.map((id) => `${id}.ts`).sort(), 'src/rules/<id>.ts for exactly the registered rules');
  t.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const rule of allRules) {
    const { id } = rule.meta;
    t.ok(existsSync(join(root, 'test/rules', `${id}.test.ts`)), `test/rules/${id}.test.ts exists`);
    t.ok(existsSync(join(root, ruleDocsPath(id))), `${ruleDocsPath(id)} exists`);
    const page = existsSync(join(root, ruleDocsPath(id))) ? readFileSync(join(root, ruleDocsPath(id)), 'utf8') : '';
    t.match(page, /\n## What it reads\n[\s\S]*\*\*In git\*\*[\s\S]*\*\*In the webhook\*\*/, `${ruleDocsPath(id)} says what it reads in git and in the webhook`);
    t.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${id} is kebab-case`);
    t.ok(rule.meta.description.length > 10 && !rule.meta.description.includes('\n'), `${id} has a one-line description`);
    t.ok(rule.meta.remediation.length > 10, `${id} has remediation text`);
    t.equal(rule.meta.optionsSchema['additionalProperties'], false, `${id} options reject unknown fields`);
    t.ok(Object.keys(rule.meta.messages).length > 0, `${id} has messages`);
  }
});

t.test('every mutator is tested and documented', async (t) => {
  for (const mutator of allMutators) {
    const { id } = mutator.meta;
    t.ok(existsSync(join(root, 'test/mutators', `${id}.test.ts`)), `test/mutators/${id}.test.ts exists`);
    t.ok(existsSync(join(root, mutatorDocsPath(id))), `${mutatorDocsPath(id)} exists`);
  }
});

t.test('the README rules table is generated from the metadata (run `npm run docs`)', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  t.equal(readme, replaceRulesTable(readme, renderRulesTable(allRules, allMutators)));
});

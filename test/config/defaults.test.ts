// The built-in defaults are not validated at start-up (compiling the schemas would cost more than a scan of one
// file), so this test is what holds them to the schemas.
import t from 'tap';
import { ajv } from '../../src/config/ajv.js';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/load.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';

t.test('every rule and mutator default options pass their own options schema', async (t) => {
  for (const item of [...allRules, ...allMutators]) {
    const validate = ajv().compile(item.meta.optionsSchema);
    t.ok(validate(item.meta.defaultOptions), `${item.meta.id}: ${JSON.stringify(validate.errors ?? [])}`);
  }
});

t.test('the defaults are what a validated empty config file gives', async (t) => {
  const validated = parseConfig('apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n', 'empty.yaml', allRules, allMutators);
  t.same(defaultConfig(allRules, allMutators), validated);
});

t.test('options set in a config are still checked against the rule schema', async (t) => {
  const rule = allRules.find((r) => Object.keys((r.meta.optionsSchema as { properties?: object }).properties ?? {}).length > 0);
  if (rule === undefined) throw new Error('no rule with options');
  let problems: string[] = [];
  try {
    parseConfig(`apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  ${rule.meta.id}:\n    options:\n      notAnOption: 1\n`, 'bad.yaml', allRules, allMutators);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  t.same(problems, [`/rules/${rule.meta.id}/options/notAnOption: unknown field`]);
});

import t from 'tap';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/load.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';

const header = 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n';
const parse = (body: string) => parseConfig(header + body, 'test.yaml', allRules, allMutators);
function problems(body: string): string[] {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

t.test('defaults are embedded', async (t) => {
  const config = defaultConfig(allRules, allMutators);
  t.equal(config.rules.get('no-sealing-key-in-git')?.action, 'deny');
  t.equal(config.clusterView.missingState, 'error');
  t.ok(config.gitops.requesters.includes('system:serviceaccount:argocd:argocd-application-controller'));
  t.equal(config.webhook.deadlineMs, 4000);
});

t.test('unknown fields and bad values are named by path', async (t) => {
  t.same(problems('rulez: {}\n'), ['/rulez: unknown field']);
  t.same(problems('rules:\n  no-sealing-key-in-git: block\n'), ['/rules/no-sealing-key-in-git: must be one of "off", "audit", "warn", "deny"', '/rules/no-sealing-key-in-git: must be object']);
  t.same(problems('rules:\n  no-such-rule: deny\n'), ['/rules/no-such-rule: unknown rule (see `secretguard rules`)']);
  t.same(problems('rules:\n  no-sealing-key-in-git:\n    options: {surprise: true}\n'), ['/rules/no-sealing-key-in-git/options/surprise: unknown field']);
  t.same(problems('exemptions:\n  - rules: [no-sealing-key-in-git]\n    namespaces: [x]\n'), ["/exemptions/0: must have required property 'reason'"]);
  t.same(problems('tenancy:\n  tenants:\n    a:\n      namespaces: ["^team-a"]\n'), ['/tenancy/tenants/a/namespaces: regex ^team-a must be anchored with ^…$']);
  t.same(problems('apiVersion: v2\n').length > 0, true, 'duplicate key is a YAML error');
});

t.test('YAML errors give a line', async (t) => {
  t.match(problems('rules: [\n')[0], /^line \d+:/);
});

t.test('settings resolve: action strings, objects and gitops overrides', async (t) => {
  const config = parse('rules:\n  no-sealing-key-in-git: {action: audit}\ngitops:\n  requesters: [system:serviceaccount:gitops:deployer]\n');
  t.same(config.rules.get('no-sealing-key-in-git'), { action: 'audit', actionFromConfig: true, options: {} });
  t.same(config.gitops.requesters, ['system:serviceaccount:gitops:deployer']);
  t.ok(config.gitops.annotations.includes('argocd.argoproj.io/tracking-id'), 'lists not given keep their defaults');
});

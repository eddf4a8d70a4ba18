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
  t.same(problems('tenancy:\n  tenants:\n    a:\n      namespaces: ["^team-a"]\n'), ['/tenancy/tenants/a/namespaces/0: regex ^team-a must be anchored with ^…$']);
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

const REFUSED = 'a regex (starting with ^) that RE2 cannot compile, or longer than secretguard runs (1024 characters, 1000 RE2 instructions)';
const badRegexes = ['^(?=a)team$', '^(a)\\1$', '^[$', `^${'a'.repeat(1100)}$`, '^a{1000}b{1000}$'];

t.test('every regex-bearing field refuses a pattern RE2 cannot run, naming the entry', async (t) => {
  for (const bad of badRegexes) {
    const q = JSON.stringify(bad);
    t.same(problems(`tenancy:\n  tenants:\n    a:\n      namespaces: [team-a, ${q}]\n`), [`/tenancy/tenants/a/namespaces/1: ${REFUSED}`], `tenant namespaces: ${bad.slice(0, 20)}`);
    t.same(problems(`tenancy:\n  tenants:\n    a:\n      clusterSecretStores: [${q}]\n`), [`/tenancy/tenants/a/clusterSecretStores/0: ${REFUSED}`], `tenant clusterSecretStores: ${bad.slice(0, 20)}`);
    t.same(problems(`exemptions:\n  - rules: ['*']\n    namespaces: [x, y, ${q}]\n    reason: r\n`), [`/exemptions/0/namespaces/2: ${REFUSED}`], `exemption namespaces: ${bad.slice(0, 20)}`);
    t.same(
      problems(`rules:\n  sealedsecret-scope:\n    options:\n      allow:\n        - {namespace: ok, name: ${q}, scope: cluster-wide}\n`),
      [`/rules/sealedsecret-scope/options/allow/0/name: ${REFUSED}`],
      `sealedsecret-scope allow name: ${bad.slice(0, 20)}`,
    );
  }
  t.same(problems('tenancy:\n  tenants:\n    a:\n      namespaces: ["^(a+)+b$", "^team-[a-z0-9]{1,40}$"]\n'), [], 'catastrophic on backtracking engines but fine on RE2');
  t.same(problems('tenancy:\n  tenants:\n    a:\n      namespaces: ["(?=not-a-regex)"]\n'), [], 'an entry without ^ is a name, compared as text');
});

t.test('an isolation rule in objectExemptions.allowedRules is refused; unknown ids everywhere are named', async (t) => {
  const isolation = allRules.filter((r) => r.meta.isolation === true).map((r) => r.meta.id);
  t.same(isolation.sort(), ['clustersecretstore-conditions', 'externalsecret-remote-key-prefix', 'externalsecret-store-access', 'reflector-namespace-isolation', 'sealedsecret-scope', 'secretstore-namespace-refs']);
  for (const id of isolation) {
    t.same(problems(`objectExemptions:\n  allowedRules: [no-plaintext-secret, ${id}]\n`), [`/objectExemptions/allowedRules/1: ${id} is a tenant isolation rule, which an object's own exemption never switches off`]);
  }
  t.same(problems('objectExemptions:\n  allowedRules: [no-plaintext-secret, no-credential-in-env]\n'), [], 'other rules may be listed');
  t.same(
    problems('rules:\n  nope-a: deny\nmutators:\n  nope-b: off\nexemptions:\n  - rules: [nope-c]\n    reason: r\nobjectExemptions:\n  allowedRules: [nope-d]\n'),
    ['/rules/nope-a: unknown rule (see `secretguard rules`)', '/mutators/nope-b: unknown mutator', '/exemptions/0/rules: unknown rule nope-c', '/objectExemptions/allowedRules/0: unknown rule nope-d'],
  );
});

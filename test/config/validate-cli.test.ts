// `secretguard config validate FILE` refuses what can never work, naming its path (issue 15): regexes RE2
// cannot run in every regex-bearing field, isolation rules in objectExemptions.allowedRules, unknown ids.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-validate-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const header = 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n';
const REFUSED = 'a regex (starting with ^) that RE2 cannot compile, or longer than secretguard runs (1024 characters, 1000 RE2 instructions)';

function validate(name: string, body: string): { code: number | null; stdout: string; stderr: string; file: string } {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, header + body);
  return { ...runCli(['config', 'validate', file]), file };
}

const cases: [string, string, string[]][] = [
  ['tenant-lookahead', 'tenancy:\n  tenants:\n    a:\n      namespaces: [team-a, "^team-b$", "^(?=x)team$"]\n', [`/tenancy/tenants/a/namespaces/2: ${REFUSED}`]],
  ['tenant-long', `tenancy:\n  tenants:\n    a:\n      namespaces: ["^${'a'.repeat(5000)}$"]\n`, [`/tenancy/tenants/a/namespaces/0: ${REFUSED}`]],
  ['store-backref', 'tenancy:\n  tenants:\n    a:\n      clusterSecretStores: ["^(a)\\\\1$"]\n', [`/tenancy/tenants/a/clusterSecretStores/0: ${REFUSED}`]],
  ['exemption-unclosed', 'exemptions:\n  - rules: [no-plaintext-secret]\n    namespaces: ["^[a-$"]\n    reason: r\n', [`/exemptions/0/namespaces/0: ${REFUSED}`]],
  ['scope-repeats', 'rules:\n  sealedsecret-scope:\n    options:\n      allow: [{namespace: "^a{1000}b{1000}$", scope: namespace-wide}]\n', [`/rules/sealedsecret-scope/options/allow/0/namespace: ${REFUSED}`]],
  ['isolation-allowed', 'objectExemptions:\n  allowedRules: [no-plaintext-secret, sealedsecret-scope]\n', ["/objectExemptions/allowedRules/1: sealedsecret-scope is a tenant isolation rule, which an object's own exemption never switches off"]],
  ['unknown-ids', 'rules:\n  no-such-rule: deny\nexemptions:\n  - rules: [also-unknown]\n    reason: r\nobjectExemptions:\n  allowedRules: [nope]\n', ['/rules/no-such-rule: unknown rule (see `secretguard rules`)', '/exemptions/0/rules: unknown rule also-unknown', '/objectExemptions/allowedRules/0: unknown rule nope']],
];

t.test('config validate refuses, exit 2, one line per problem naming its path', async (t) => {
  for (const [name, body, problems] of cases) {
    const result = validate(name, body);
    t.equal(result.code, 2, `${name}: exit 2`);
    t.equal(result.stdout, '', `${name}: nothing on stdout`);
    t.equal(result.stderr, `secretguard: invalid config ${result.file}:\n${problems.map((p) => `  ${p}\n`).join('')}`, `${name}: the exact message`);
  }
});

t.test('config validate accepts catastrophic-on-backtracking patterns RE2 runs in linear time', async (t) => {
  const result = validate('fine', 'tenancy:\n  tenants:\n    a:\n      namespaces: ["^(a+)+b$", "^(a|aa)*c$", "^team-[a-z0-9]{1,40}$"]\nobjectExemptions:\n  allowedRules: [no-plaintext-secret]\n');
  t.equal(result.code, 0);
  t.equal(result.stdout, `${result.file}: valid\n`);
});

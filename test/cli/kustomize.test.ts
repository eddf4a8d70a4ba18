// Kustomize secretGenerator through the CLI: kustomization.yaml with kind Kustomization, with no kind at all, the
// extension-less `Kustomization` file and a Component; literals, envs and files (paths relative to the kustomization).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const PASSWORD = 'Wq7tLm2vPz9xKc4-kz-canary';
const root = mkdtempSync(join(tmpdir(), 'secretguard-kustomize-'));
const write = (path: string, text: string): string => {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, text);
  return full;
};

const noKind = write('apps/orders/overlays/prod/kustomization.yaml', `resources:
  - ../../base
namespace: orders
secretGenerator:
  - name: db-credentials
    literals:
      - username=orders
      - password=${PASSWORD}
      - token=\${TOKEN}
      - empty=
    envs:
      - secrets/db.env
    files:
      - tls.key=../../secrets/tls.key
      - ca.crt=secrets/ca.crt
      - id_ed25519.pub
`);
write('apps/orders/overlays/prod/secrets/db.env', `DB_PASSWORD=${PASSWORD}\n`);
const withKind = write('apps/billing/kustomization.yml', `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
secretGenerator:
  - name: stripe
    env: stripe.env
`);
const extensionless = write('apps/legacy/Kustomization', `apiVersion: kustomize.config.k8s.io/v1beta1
secretGenerator:
  - name: legacy
    files:
      - config.json
`);
const component = write('components/monitoring/kustomization.yaml', `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
secretGenerator:
  - name: grafana-admin
    literals:
      - admin-password=${PASSWORD}
`);
const clean = write('apps/clean/kustomization.yaml', `resources:
  - deployment.yaml
  - external-secret.yaml
configMapGenerator:
  - name: settings
    literals:
      - LOG_LEVEL=info
secretGenerator:
  - name: public-only
    files:
      - tls.crt=certs/server.crt
`);
// Flux's Kustomization is an API object of another group: it has no secretGenerator, and is not read as one.
const flux = write('clusters/prod/apps.yaml', `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`);
// A file that only looks like a kustomization by content, under another name, is skipped as before.
write('apps/orders/values.yaml', `secretGenerator:\n  - name: x\n    literals:\n      - password=${PASSWORD}\n`);

const FIX = 'produce the Secret with an ExternalSecret or a SealedSecret instead';

t.test('a kustomization without kind: literals and source files, each on its line', async (t) => {
  const result = runCli(['scan', noKind]);
  t.equal(result.code, 1);
  const dir = join(root, 'apps/orders/overlays/prod');
  t.same(result.stdout.split('\n'), [
    `${noKind}:7: deny [kustomize-secret-generator] Kustomization secretGenerator db-credentials: literal username is a Secret value in plaintext in git; ${FIX}, and rotate the value (Kustomization (unnamed) /secretGenerator/0/literals/0)`,
    `${noKind}:8: deny [kustomize-secret-generator] Kustomization secretGenerator db-credentials: literal password is a Secret value in plaintext in git; ${FIX}, and rotate the value (Kustomization (unnamed) /secretGenerator/0/literals/1)`,
    `${noKind}:12: deny [kustomize-secret-generator] Kustomization secretGenerator db-credentials: envs names ${dir}/secrets/db.env, whose content becomes the Secret and sits in plaintext beside the kustomization; ${FIX}, remove the file from git and rotate what it held (Kustomization (unnamed) /secretGenerator/0/envs/0)`,
    `${noKind}:14: deny [kustomize-secret-generator] Kustomization secretGenerator db-credentials: files names ${join(root, 'apps/orders')}/secrets/tls.key, whose content becomes the Secret and sits in plaintext beside the kustomization; ${FIX}, remove the file from git and rotate what it held (Kustomization (unnamed) /secretGenerator/0/files/0)`,
    '',
    'rule                         deny   warn  audit  error',
    'kustomize-secret-generator      4      0      0      0',
    '',
    '1 resource scanned: 4 deny, 0 warn, 0 audit, 0 error',
    '',
  ]);
  t.notMatch(result.stdout + result.stderr, PASSWORD, 'no value is printed');
});

t.test('kind Kustomization (deprecated env), the extension-less Kustomization file and a Component', async (t) => {
  const result = runCli(['scan', '--format', 'json', withKind, extensionless, component]);
  t.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as { findings: { ruleId: string; field: string; file: string; line: number; resource: { kind: string } }[] };
  t.same(
    report.findings.map((f) => [f.file, f.line, f.ruleId, f.field, f.resource.kind]),
    [
      [withKind, 5, 'kustomize-secret-generator', '/secretGenerator/0/env', 'Kustomization'],
      [extensionless, 5, 'kustomize-secret-generator', '/secretGenerator/0/files/0', 'Kustomization'],
      [component, 6, 'kustomize-secret-generator', '/secretGenerator/0/literals/0', 'Component'],
    ],
  );
  t.notMatch(result.stdout, PASSWORD);
});

t.test('a directory scan finds kustomization files, leaves clean ones, Flux Kustomizations and look-alikes alone', async (t) => {
  const result = runCli(['scan', '--format', 'json', root]);
  t.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as { findings: { file: string }[]; summary: { deny: number } };
  t.same([...new Set(report.findings.map((f) => f.file))].sort(), [noKind, withKind, component, extensionless].sort(), 'only the four kustomizations with plaintext');
  t.equal(report.summary.deny, 7);
  const alone = runCli(['scan', clean, flux]);
  t.equal(alone.code, 0, alone.stdout);
  t.equal(alone.stdout, '2 resources scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
});

// webhook-config/ and the chart's generated files come from one source (the rules and mutators, rendered by
// the chart's own templates); this fails when any of them is stale. Fix: npm run build && npm run webhook-config.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { generatedFiles, PLAIN_DIR, PLAIN_FILES, renderRulesFile, RULES_FILE, staleFiles } from '../../scripts/render-webhook-config.js';
import { ROOT } from '../helpers/cli.js';
import { helmOrSkip, parseObjects } from './helm.js';

const relativeTo = (path: string): string => path.slice(ROOT.length).replace(/^\//, '');

t.test('the chart\'s webhook rules match the rules and mutators', async (t) => {
  t.equal(readFileSync(RULES_FILE, 'utf8'), renderRulesFile(), 'charts/secretguard/files/webhook-rules.yaml is current (npm run webhook-config)');
});

t.test('generated files are current', async (t) => {
  const helm = helmOrSkip(t);
  if (helm === undefined) return;
  const { files, helmMissing } = generatedFiles(helm);
  t.notOk(helmMissing);
  t.same(staleFiles(files).map(relativeTo), [], 'stale: run npm run build && npm run webhook-config');
});

t.test('plain manifests', async (t) => {
  for (const [kind, file] of Object.entries(PLAIN_FILES)) {
    const text = readFileSync(join(PLAIN_DIR, file), 'utf8');
    const objects = parseObjects(text);
    t.equal(objects.length, 1, file);
    t.equal(objects[0]?.kind, kind);
    t.notMatch(text, /helm\.sh\/chart|managed-by: Helm/, 'no Helm-only labels');
    const webhooks = (objects[0]?.['webhooks'] as { name: string; failurePolicy: string; clientConfig: { caBundle: string; service: { name: string; namespace: string } } }[] | undefined) ?? [];
    const validating = kind.startsWith('Validating');
    t.same(
      webhooks.map((w) => [w.name, w.failurePolicy]),
      validating
        ? [
            ['validate.secretguard.io', 'Fail'],
            ['validate-workloads.secretguard.io', 'Ignore'],
            ['validate-sealing-keys.secretguard.io', 'Fail'],
          ]
        : [['mutate.secretguard.io', 'Ignore']],
    );
    for (const webhook of webhooks) {
      t.equal(webhook.clientConfig.caBundle, '${CA_BUNDLE}', `${webhook.name}: caBundle placeholder`);
      t.same(webhook.clientConfig.service, { name: 'secretguard', namespace: 'secretguard', path: validating ? '/validate' : '/mutate', port: 443 });
    }
  }
  const readme = readFileSync(join(PLAIN_DIR, 'README.md'), 'utf8');
  t.match(readme, /secretguard cert --out-dir/, 'the README documents the secretguard cert flow');
  t.match(readme, /CA_BUNDLE/);
});

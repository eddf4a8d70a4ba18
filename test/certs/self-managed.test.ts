// The pure parts of the selfManaged certificate mode (renewal decision, trust bundle, caBundle patch) and the
// loop against an in-memory CertificateApi. The real API server test is in the e2e tier.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateCertificates, serviceDnsNames, type CertificateRequest, type GeneratedCertificates } from '../../src/certs/generate.js';
import {
  caBundlePatch,
  parseStoredCertificates,
  renewalDecision,
  secretBody,
  splitPem,
  trustBundle,
  type JsonPatchOperation,
  type SecretObject,
  type StoredCertificates,
  type WebhookConfigurationKind,
  type WebhookConfigurationLike,
} from '../../src/certs/decisions.js';
import { selfManagedOptionsFrom } from '../../src/cli/self-managed-flags.js';
import type { CertificateApi } from '../../src/certs/kube-api.js';
import { ensureSelfManagedCertificates, startSelfManagedCertificates } from '../../src/certs/renewal.js';

const DAY = 24 * 60 * 60 * 1000;
const SERVICE = 'secretguard';
const NAMESPACE = 'secretguard';
const DNS = serviceDnsNames(SERVICE, NAMESPACE);

// Key generation is the slow part: a few pairs, reused.
const pairA = generateCertificates({ service: SERVICE, namespace: NAMESPACE, validityDays: 365 });
const pairB = generateCertificates({ service: SERVICE, namespace: NAMESPACE, validityDays: 365 });
const otherService = generateCertificates({ service: 'other', namespace: NAMESPACE, validityDays: 365 });

function stored(pair: GeneratedCertificates, bundle = pair.caCert): StoredCertificates {
  return { caBundlePem: bundle, cert: pair.cert, key: pair.key, notAfter: pair.notAfter };
}

const policy = (now: Date) => ({ now, renewBeforeMs: 30 * DAY, dnsNames: DNS });

t.test('parseStoredCertificates reads what secretBody writes and refuses broken data', async (t) => {
  const body = secretBody('sg-tls', NAMESPACE, stored(pairA));
  t.equal(body.type, 'kubernetes.io/tls');
  t.same(Object.keys(body.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
  const parsed = parseStoredCertificates(body.data);
  t.ok(parsed);
  t.equal(parsed?.cert, pairA.cert);
  t.equal(parsed?.notAfter.getTime(), new Date(new X509Certificate(pairA.cert).validTo).getTime());

  t.equal(parseStoredCertificates(undefined), undefined);
  t.equal(parseStoredCertificates({}), undefined);
  const mismatched = secretBody('sg-tls', NAMESPACE, { ...stored(pairA), key: pairB.key }).data;
  t.equal(parseStoredCertificates(mismatched), undefined, 'key of another certificate');
  t.equal(parseStoredCertificates({ ...body.data, 'tls.crt': Buffer.from('not a certificate').toString('base64') }), undefined);
  t.equal(parseStoredCertificates({ ...body.data, 'ca.crt': '' }), undefined);
});

t.test('renewalDecision', async (t) => {
  const now = new Date();
  t.same(renewalDecision(undefined, false, policy(now)), { action: 'create', reason: 'missing' });
  t.same(renewalDecision(undefined, true, policy(now)), { action: 'renew', reason: 'unusable' });
  t.same(renewalDecision(stored(pairA), true, policy(now)), { action: 'keep' });
  t.same(renewalDecision(stored(pairA), true, policy(new Date(pairA.notAfter.getTime() - 31 * DAY))), { action: 'keep' }, 'just outside renewBefore');
  t.same(renewalDecision(stored(pairA), true, policy(new Date(pairA.notAfter.getTime() - 29 * DAY))), { action: 'renew', reason: 'expiring' });
  t.same(renewalDecision(stored(pairA), true, policy(new Date(pairA.notAfter.getTime() + DAY))), { action: 'renew', reason: 'expiring' }, 'expired');
  t.same(renewalDecision(stored(otherService), true, policy(now)), { action: 'renew', reason: 'names' }, 'SANs for another Service');
  t.same(renewalDecision(stored(pairA, pairB.caCert), true, policy(now)), { action: 'renew', reason: 'untrusted' }, 'signed by a CA not in the bundle');
  t.same(renewalDecision(stored(pairA, pairB.caCert + pairA.caCert), true, policy(now)), { action: 'keep' }, 'any CA of the bundle');
});

t.test('trustBundle keeps the previous CA while it is valid, and at most one', async (t) => {
  const now = new Date();
  const bundle = trustBundle(pairB.caCert, pairA.caCert, now);
  t.same(
    splitPem(bundle),
    [pairB.caCert.trim(), pairA.caCert.trim()],
    'new CA first, previous CA kept so old serving certificates stay trusted',
  );
  t.same(splitPem(trustBundle(otherService.caCert, bundle, now)), [otherService.caCert.trim(), pairB.caCert.trim()], 'the oldest drops out');
  t.same(splitPem(trustBundle(pairA.caCert, pairA.caCert, now)), [pairA.caCert.trim()], 'no duplicate');
  t.same(splitPem(trustBundle(pairB.caCert, pairA.caCert, new Date(pairA.notAfter.getTime() + DAY))), [pairB.caCert.trim()], 'expired CA dropped');
  t.same(splitPem(trustBundle(pairB.caCert, undefined, now)), [pairB.caCert.trim()]);
});

t.test('caBundlePatch touches only webhooks calling this service, guarded by their names', async (t) => {
  const service = { name: SERVICE, namespace: NAMESPACE };
  const configuration: WebhookConfigurationLike = {
    webhooks: [
      { name: 'foreign.example.com', clientConfig: { service: { name: 'foreign', namespace: NAMESPACE } } },
      { name: 'validate.secretguard.io', clientConfig: { service } },
      { name: 'other-namespace.secretguard.io', clientConfig: { service: { name: SERVICE, namespace: 'elsewhere' } } },
    ],
  };
  t.same(caBundlePatch(configuration, 'QUJD', service), [
    { op: 'test', path: '/webhooks/1/name', value: 'validate.secretguard.io' },
    { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'QUJD' },
  ]);
  const done: WebhookConfigurationLike = { webhooks: [{ name: 'validate.secretguard.io', clientConfig: { service, caBundle: 'QUJD' } }] };
  t.same(caBundlePatch(done, 'QUJD', service), [], 'nothing to do when the caBundle is already there');
  t.same(caBundlePatch(done, 'REVG', service).length, 2, 'a different caBundle is replaced');
  t.same(caBundlePatch({}, 'QUJD', service), []);
});

/** In-memory API server for the loop: one Secret, webhook configurations by kind/name, JSON patch applied for real. */
class FakeApi implements CertificateApi {
  secret: SecretObject | undefined;
  version = 0;
  configurations = new Map<string, WebhookConfigurationLike>();
  calls: string[] = [];
  /** Simulates another replica creating or replacing the Secret just before our write. */
  raceOnce: SecretObject | undefined;

  private take(body: SecretObject): SecretObject {
    this.version++;
    this.secret = structuredClone({ ...body, metadata: { ...body.metadata, resourceVersion: String(this.version) } });
    return this.secret;
  }

  private race(): void {
    if (this.raceOnce !== undefined) {
      this.take(this.raceOnce);
      this.raceOnce = undefined;
    }
  }

  async readSecret(): Promise<SecretObject | undefined> {
    this.calls.push('readSecret');
    return structuredClone(this.secret);
  }
  async createSecret(_namespace: string, body: SecretObject): Promise<SecretObject | undefined> {
    this.calls.push('createSecret');
    this.race();
    if (this.secret !== undefined) return undefined;
    return this.take(body);
  }
  async replaceSecret(_namespace: string, _name: string, body: SecretObject): Promise<SecretObject | undefined> {
    this.calls.push('replaceSecret');
    this.race();
    if (body.metadata?.resourceVersion !== this.secret?.metadata?.resourceVersion) return undefined;
    return this.take(body);
  }
  async readWebhookConfiguration(kind: WebhookConfigurationKind, name: string): Promise<WebhookConfigurationLike | undefined> {
    return structuredClone(this.configurations.get(`${kind}/${name}`));
  }
  async patchWebhookConfiguration(kind: WebhookConfigurationKind, name: string, patch: JsonPatchOperation[]): Promise<void> {
    this.calls.push(`patch ${kind}`);
    const configuration = this.configurations.get(`${kind}/${name}`);
    if (configuration === undefined) throw new Error('404');
    for (const op of patch) {
      const [, , index, field] = op.path.split('/');
      const webhook = configuration.webhooks?.[Number(index)];
      if (webhook === undefined) throw new Error('422');
      if (op.op === 'test' && webhook.name !== op.value) throw new Error('422');
      if (op.op === 'add' && field === 'clientConfig') webhook.clientConfig = { ...webhook.clientConfig, caBundle: op.value as string };
    }
  }
}

function webhookConfigurations(api: FakeApi, mutating = true): void {
  const service = { name: SERVICE, namespace: NAMESPACE };
  api.configurations.set('ValidatingWebhookConfiguration/secretguard', { webhooks: [{ name: 'validate.secretguard.io', clientConfig: { service } }] });
  if (mutating) api.configurations.set('MutatingWebhookConfiguration/secretguard', { webhooks: [{ name: 'mutate.secretguard.io', clientConfig: { service } }] });
}

function countingGenerator(): { generate: (request: CertificateRequest) => GeneratedCertificates; count: () => number } {
  let n = 0;
  return {
    generate: (request) => {
      n++;
      return generateCertificates({ ...request, bits: 2048 });
    },
    count: () => n,
  };
}

t.test('ensureSelfManagedCertificates: create, keep, renew, adopt', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-self-managed-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const api = new FakeApi();
  webhookConfigurations(api);
  const generator = countingGenerator();
  let now = new Date();
  const options = {
    api,
    namespace: NAMESPACE,
    secretName: 'secretguard-tls',
    service: SERVICE,
    webhookConfigurations: ['secretguard'],
    certFile: path.join(dir, 'tls.crt'),
    keyFile: path.join(dir, 'tls.key'),
    now: () => now,
    generate: generator.generate,
  };

  const first = await ensureSelfManagedCertificates(options);
  t.equal(first.action, 'created');
  t.same(first.patched.sort(), ['MutatingWebhookConfiguration/secretguard', 'ValidatingWebhookConfiguration/secretguard']);
  t.ok(first.filesWritten);
  const secretData = api.secret?.data;
  t.equal(readFileSync(options.certFile, 'utf8'), Buffer.from(secretData?.['tls.crt'] ?? '', 'base64').toString());
  t.equal(readFileSync(options.keyFile, 'utf8'), Buffer.from(secretData?.['tls.key'] ?? '', 'base64').toString());
  t.equal(api.configurations.get('ValidatingWebhookConfiguration/secretguard')?.webhooks?.[0]?.clientConfig?.caBundle, first.caBundle);
  t.equal(api.secret?.type, 'kubernetes.io/tls');

  api.calls = [];
  const second = await ensureSelfManagedCertificates(options);
  t.equal(second.action, 'kept');
  t.same(second.patched, [], 'no patch when the caBundle is in place');
  t.notOk(second.filesWritten);
  t.same(api.calls, ['readSecret'], 'a steady state costs one read of the Secret');
  t.equal(generator.count(), 1);

  // Someone (an Argo CD sync without RespectIgnoreDifferences) reset the caBundle: patched back.
  const validating = api.configurations.get('ValidatingWebhookConfiguration/secretguard');
  if (validating?.webhooks?.[0]?.clientConfig !== undefined) delete validating.webhooks[0].clientConfig.caBundle;
  t.same((await ensureSelfManagedCertificates(options)).patched, ['ValidatingWebhookConfiguration/secretguard']);

  // Another replica already wrote the Secret: this one reads it and writes the files.
  writeFileSync(options.certFile, 'stale');
  const third = await ensureSelfManagedCertificates(options);
  t.equal(third.action, 'kept');
  t.ok(third.filesWritten);

  // Near expiry: a new CA and certificate; the caBundle trusts both CAs.
  now = new Date(first.notAfter.getTime() - 10 * DAY);
  const renewed = await ensureSelfManagedCertificates(options);
  t.equal(renewed.action, 'renewed');
  t.equal(renewed.reason, 'expiring');
  t.ok(renewed.filesWritten);
  t.equal(splitPem(Buffer.from(renewed.caBundle, 'base64').toString()).length, 2, 'new and previous CA');
  t.same(renewed.patched.length, 2);
  t.equal(generator.count(), 2);
});

t.test('ensureSelfManagedCertificates converges when another replica wins the race', async (t) => {
  const api = new FakeApi();
  webhookConfigurations(api, false);
  const options = {
    api,
    namespace: NAMESPACE,
    secretName: 'secretguard-tls',
    service: SERVICE,
    webhookConfigurations: ['secretguard'],
  };
  const theirs = secretBody('secretguard-tls', NAMESPACE, stored(pairA));
  api.raceOnce = theirs;
  const result = await ensureSelfManagedCertificates(options);
  t.equal(result.action, 'adopted', 'our create got 409; theirs is used');
  t.equal(Buffer.from(result.caBundle, 'base64').toString(), pairA.caCert);
  t.same(result.missing, ['MutatingWebhookConfiguration/secretguard'], 'a disabled mutating webhook is skipped, not an error');

  // Unusable data in the Secret: replaced, and a concurrent replace by another replica is adopted.
  api.secret = { ...theirs, data: { ...theirs.data, 'tls.key': Buffer.from(pairB.key).toString('base64') } };
  api.raceOnce = secretBody('secretguard-tls', NAMESPACE, stored(pairB));
  const again = await ensureSelfManagedCertificates(options);
  t.equal(again.action, 'adopted');
  t.equal(Buffer.from(again.caBundle, 'base64').toString(), pairB.caCert);
});

t.test('selfManagedOptionsFrom checks the flags', async (t) => {
  const files = { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' };
  t.equal(selfManagedOptionsFrom({}, files, {}), undefined, 'files mode by default');
  t.throws(() => selfManagedOptionsFrom({ certMode: 'magic' }, files, {}), RangeError);
  t.throws(() => selfManagedOptionsFrom({ certMode: 'self-managed', certSecret: 's', certService: 'svc' }, files, {}), /POD_NAMESPACE/);
  t.throws(() => selfManagedOptionsFrom({ certMode: 'self-managed', certService: 'svc' }, files, { POD_NAMESPACE: 'ns' }), /--cert-secret/);
  t.throws(
    () => selfManagedOptionsFrom({ certMode: 'self-managed', certSecret: 's', certService: 'svc', certValidityDays: '30', certRenewBeforeDays: '30' }, files, { POD_NAMESPACE: 'ns' }),
    /--cert-renew-before-days/,
  );
  const kubeconfig = path.join(mkdtempSync(path.join(os.tmpdir(), 'sg-kc-')), 'config');
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  const parsed = selfManagedOptionsFrom(
    { certMode: 'self-managed', certSecret: 'sg-tls', certService: 'sg', certWebhookConfiguration: ['sg'], certCheckInterval: '30' },
    { ...files, kubeconfig },
    { POD_NAMESPACE: 'secretguard' },
  );
  t.match(parsed, {
    namespace: 'secretguard',
    secretName: 'sg-tls',
    service: 'sg',
    webhookConfigurations: ['sg'],
    certFile: '/tls/tls.crt',
    keyFile: '/tls/tls.key',
    validityDays: 365,
    renewBeforeDays: 30,
    intervalMs: 30_000,
  });
});

t.test('first install: webhook configurations registered after the pods get their caBundle within seconds', async (t) => {
  const api = new FakeApi();
  const handle = await startSelfManagedCertificates({
    api,
    namespace: NAMESPACE,
    secretName: 'secretguard-tls',
    service: SERVICE,
    webhookConfigurations: ['secretguard'],
    intervalMs: 60_000,
    missingRetryMs: 20,
  });
  t.teardown(() => { handle.stop(); });
  t.same(handle.first.missing.sort(), ['MutatingWebhookConfiguration/secretguard', 'ValidatingWebhookConfiguration/secretguard'], 'nothing registered yet (the chart registers them in a later sync wave)');
  webhookConfigurations(api);
  const caBundles = async (): Promise<(string | undefined)[]> => {
    for (let i = 0; i < 200; i++) {
      const bundles = [...api.configurations.values()].map((c) => c.webhooks?.[0]?.clientConfig?.caBundle);
      if (bundles.every((b) => b !== undefined)) return bundles;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return [...api.configurations.values()].map((c) => c.webhooks?.[0]?.clientConfig?.caBundle);
  };
  const bundles = await caBundles();
  t.equal(bundles.length, 2);
  t.ok(bundles.every((b) => b === handle.first.caBundle), 'both configurations get the caBundle long before the 60 s interval');
});

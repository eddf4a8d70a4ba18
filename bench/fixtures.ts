// Generators for the benchmark inputs: the cluster view (namespaces, ClusterSecretStores,
// ExternalSecrets), the seven admission payloads of issue 11, and the CLI corpus. Shapes follow
// real objects (kubectl/kubeseal/ESO output); values are synthetic and never real credentials.
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../src/k8s/json.js';

export const TENANT_LABEL = 'secretguard.io/tenant';
/** Tenants are `t0`…`t49`, each with its own ClusterSecretStore `vault-tN`; namespace `ns-i` belongs to `t(i % 50)`. */
export const TENANTS = 50;

/** Deterministic PRNG (mulberry32) so the corpus and mixes are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const tenantOf = (ns: number): string => `t${ns % TENANTS}`;
export const namespaceName = (ns: number): string => `ns-${ns}`;

/** The bench config: every rule and mutator at its default, tenancy as a label-based multi-tenant fleet. */
export function benchConfigYaml(): string {
  const lines = [
    'apiVersion: secretguard.io/v1alpha1',
    'kind: SecretGuardConfig',
    'tenancy:',
    `  tenantLabel: ${TENANT_LABEL}`,
    '  tenants:',
  ];
  for (let t = 0; t < TENANTS; t++) {
    lines.push(`    t${t}:`, `      clusterSecretStores: [vault-t${t}]`, `      remoteKeyPrefixes: ["teams/{{tenant}}/", "apps/{{namespace}}/"]`);
  }
  return lines.join('\n') + '\n';
}

export function namespaceObject(ns: number): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespaceName(ns), labels: { [TENANT_LABEL]: tenantOf(ns), 'app.kubernetes.io/part-of': `app-${ns}` } },
  };
}

export function clusterSecretStore(t: number | 'shared'): JsonObject {
  const name = t === 'shared' ? 'shared-vault' : `vault-t${t}`;
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'argocd' } },
    spec: {
      provider: {
        vault: {
          server: 'https://vault.example.com',
          path: t === 'shared' ? 'secret' : `teams-t${t}`,
          version: 'v2',
          auth: { kubernetes: { mountPath: 'kubernetes', role: name, serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } },
        },
      },
      conditions:
        t === 'shared'
          ? [{ namespaceRegexes: ['^ns-[0-9]+$'] }]
          : [{ namespaceSelector: { matchLabels: { [TENANT_LABEL]: `t${t}` } } }],
    },
  };
}

/** An ExternalSecret of namespace `ns` reading `entries` keys from its tenant's store. */
export function externalSecret(ns: number, name: string, entries: number): JsonObject {
  const tenant = tenantOf(ns);
  const data = [];
  for (let i = 0; i < entries; i++) {
    data.push({ secretKey: `key-${i}`, remoteRef: { key: `teams/${tenant}/${name}/entry-${i}`, property: 'value' } });
  }
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: namespaceName(ns), labels: { app: name } },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: `vault-${tenant}`, kind: 'ClusterSecretStore' },
      target: { name, creationPolicy: 'Owner' },
      data,
    },
  };
}

/** kubeseal's layout: 2-byte big-endian RSA block length, the block, AES-GCM body and 16-byte tag. */
export function sealedValue(valueLength: number, rsaBytes = 512): string {
  const bytes = randomBytes(2 + rsaBytes + valueLength + 16);
  bytes.writeUInt16BE(rsaBytes, 0);
  return bytes.toString('base64');
}

export function sealedSecret(ns: number, name: string, values: number): JsonObject {
  const encryptedData: Record<string, string> = {};
  for (let i = 0; i < values; i++) encryptedData[`value-${i}`] = sealedValue(24 + (i % 5) * 8);
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name, namespace: namespaceName(ns) },
    spec: { encryptedData, template: { metadata: { name, namespace: namespaceName(ns) }, type: 'Opaque' } },
  };
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A Secret with `keys` ordinary configuration-like values (some look like credentials, as real ones do). */
export function secretWithKeys(ns: number, name: string, keys: number): JsonObject {
  const data: Record<string, string> = {};
  for (let i = 0; i < keys; i++) {
    const value =
      i % 4 === 0 ? `https://service-${i}.${namespaceName(ns)}.svc:8443/api` : i % 4 === 1 ? `user-${i}` : i % 4 === 2 ? `${1000 + i}` : `feature-${i}=enabled`;
    data[`setting-${i}`] = b64(value);
  }
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: namespaceName(ns), labels: { app: name } }, type: 'Opaque', data };
}

/** A Secret holding one 512 KiB value: a CA bundle of base64 lines (a common large Secret). */
export function secretWithLargeValue(ns: number, name: string, bytes = 512 * 1024): JsonObject {
  const random = randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64');
  const lines: string[] = ['-----BEGIN CERTIFICATE-----'];
  for (let i = 0; lines.join('\n').length < bytes - 64; i += 64) lines.push(random.slice(i, i + 64));
  lines.push('-----END CERTIFICATE-----');
  const pem = lines.join('\n').slice(0, bytes);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: namespaceName(ns) },
    type: 'Opaque',
    data: { 'ca-bundle.crt': b64(pem) },
  };
}

export function configMap(ns: number, name: string, keys: number, planted = false): JsonObject {
  const data: Record<string, string> = {};
  for (let i = 0; i < keys; i++) {
    data[`SETTING_${i}`] =
      i % 5 === 0 ? `http://backend-${i}.${namespaceName(ns)}.svc:8080` : i % 5 === 1 ? 'info' : i % 5 === 2 ? `${30 + i}s` : i % 5 === 3 ? 'true' : `queue-${i}`;
  }
  // A planted finding: a database URL with an inline password in a ConfigMap.
  if (planted) data['DATABASE_URL'] = `postgres://app:Sx9-${name}-Kq2v7wPz@db.${namespaceName(ns)}.svc:5432/app`;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: namespaceName(ns) }, data };
}

/** A Deployment with `containers` containers and `refs` secretKeyRef/secretRef references spread over them. */
export function deployment(ns: number, name: string, containers: number, refs: number, secretNames: readonly string[]): JsonObject {
  const list = [];
  for (let c = 0; c < containers; c++) {
    const env: JsonObject[] = [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    const envFrom: JsonObject[] = [];
    for (let r = c; r < refs; r += containers) {
      const secret = secretNames[r % secretNames.length] ?? name;
      if (r % 6 === 5) envFrom.push({ secretRef: { name: secret } });
      else env.push({ name: `SECRET_${r}`, valueFrom: { secretKeyRef: { name: secret, key: `key-${r % 5}` } } });
    }
    list.push({
      name: `c${c}`,
      image: `ghcr.io/org/${name}-c${c}@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945`,
      ports: [{ containerPort: 8080 + c, name: `http-${c}` }],
      env,
      ...(envFrom.length > 0 ? { envFrom } : {}),
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    });
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: namespaceName(ns), labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { serviceAccountName: name, containers: list } },
    },
  };
}

export function clusterExternalSecret(tenant: number, name: string, entries: number): JsonObject {
  const data = [];
  for (let i = 0; i < entries; i++) data.push({ secretKey: `key-${i}`, remoteRef: { key: `teams/t${tenant}/shared/${name}-${i}` } });
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterExternalSecret',
    metadata: { name },
    spec: {
      namespaceSelectors: [{ matchLabels: { [TENANT_LABEL]: `t${tenant}` } }],
      refreshTime: '1m',
      externalSecretName: name,
      externalSecretSpec: {
        refreshInterval: '1h',
        secretStoreRef: { name: `vault-t${tenant}`, kind: 'ClusterSecretStore' },
        target: { name },
        data,
      },
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Webhook payloads

export interface Payload {
  id: string;
  description: string;
  kind: { group: string; version: string; kind: string };
  resource: string;
  object: JsonObject;
}

/** The seven payloads of the issue, all in namespace ns-7 (tenant t7), which the preloaded view knows. */
export function webhookPayloads(): Payload[] {
  const ns = 7;
  const esTargets = Array.from({ length: 5 }, (_, i) => `es-${ns}-${i}`);
  return [
    { id: 'secret-20-keys', description: 'Secret with 20 keys', kind: { group: '', version: 'v1', kind: 'Secret' }, resource: 'secrets', object: secretWithKeys(ns, 'app-settings', 20) },
    { id: 'secret-512k', description: 'Secret with a 512 KiB value', kind: { group: '', version: 'v1', kind: 'Secret' }, resource: 'secrets', object: secretWithLargeValue(ns, 'ca-bundle') },
    { id: 'configmap-100', description: 'ConfigMap with 100 keys', kind: { group: '', version: 'v1', kind: 'ConfigMap' }, resource: 'configmaps', object: configMap(ns, 'app-config', 100) },
    {
      id: 'deployment-10x30',
      description: 'Deployment, 10 containers, 30 secret references',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: 'deployments',
      object: deployment(ns, 'web', 10, 30, esTargets),
    },
    {
      id: 'externalsecret-50',
      description: 'ExternalSecret with 50 entries',
      kind: { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret' },
      resource: 'externalsecrets',
      object: externalSecret(ns, 'bulk', 50),
    },
    {
      id: 'sealedsecret-20x4096',
      description: 'SealedSecret, 20 values, 4096-bit key',
      kind: { group: 'bitnami.com', version: 'v1alpha1', kind: 'SealedSecret' },
      resource: 'sealedsecrets',
      object: sealedSecret(ns, 'sealed', 20),
    },
    {
      id: 'clusterexternalsecret',
      description: 'ClusterExternalSecret',
      kind: { group: 'external-secrets.io', version: 'v1', kind: 'ClusterExternalSecret' },
      resource: 'clusterexternalsecrets',
      object: clusterExternalSecret(ns, 'shared-config', 5),
    },
  ];
}

/**
 * An AdmissionReview as kube-apiserver sends it (envelope of test/fixtures/admission/create.json):
 * CREATE by a human user through kubectl server-side apply, with managedFields on the object.
 */
export function admissionReview(payload: Payload, uid: string): JsonObject {
  const metadata = (payload.object['metadata'] ?? {}) as JsonObject;
  const object: JsonObject = {
    ...payload.object,
    metadata: {
      ...metadata,
      uid: 'c3d6d0a2-6f0e-4d43-9d1e-2b1f5a8e9f10',
      creationTimestamp: '2026-11-24T07:57:41Z',
      managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-11-24T07:57:41Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:name': {} } } }],
    },
  };
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
  const gr = { group: payload.kind.group, version: payload.kind.version, resource: payload.resource };
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid,
      kind: payload.kind,
      resource: gr,
      requestKind: payload.kind,
      requestResource: gr,
      name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
      ...(namespace !== undefined ? { namespace } : {}),
      operation: 'CREATE',
      userInfo: { username: 'jane@example.com', uid: 'uid-jane', groups: ['developers', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl' },
    },
  };
}

import { ESO_GROUP } from '../k8s/eso-api.js';
import { storeProvider } from '../k8s/eso-providers.js';
import type { JsonObject } from '../k8s/json.js';
import { objectAt, stringAt } from '../k8s/json.js';
import { gvkOf, labelsOf, nameOf, namespaceOf } from '../k8s/object.js';
import { secretProducer, type SecretProducer } from '../k8s/secrets.js';
import type { ClusterView, ExternalSecretRecord, NamespaceRecord, StoreRecord } from './view.js';

const EMPTY: readonly ExternalSecretRecord[] = Object.freeze([]);

/**
 * The one in-memory store behind both views: informer events and scanned manifests feed it
 * through `upsert` and `remove`. It keeps only the fields rules need, so 100,000
 * ExternalSecrets stay small.
 */
export class ClusterIndex implements ClusterView {
  synced = false;
  /** Bumped on every Namespace upsert or removal (see ClusterView.generation). */
  generation = 0;
  private readonly namespaceMap = new Map<string, NamespaceRecord>();
  private readonly clusterStoreMap = new Map<string, StoreRecord>();
  private readonly storeMap = new Map<string, Map<string, StoreRecord>>();
  private readonly externalSecretMap = new Map<string, Map<string, ExternalSecretRecord>>();
  /** namespace -> target Secret name -> ExternalSecrets writing it */
  private readonly targetMap = new Map<string, Map<string, ExternalSecretRecord[]>>();
  /** namespace -> Secret name -> its producing controller; only the producer is kept, never the data. */
  private readonly secretProducerMap = new Map<string, Map<string, SecretProducer>>();

  /** Record an object if it is one of the kinds the view tracks; returns whether it was. */
  upsert(object: JsonObject, defaultNamespace = ''): boolean {
    const gvk = gvkOf(object);
    const name = nameOf(object);
    if (gvk === undefined || name === undefined) return false;
    const namespace = namespaceOf(object) ?? defaultNamespace;
    if (gvk.group === '' && gvk.kind === 'Namespace') {
      this.generation++;
      this.namespaceMap.set(name, { name, labels: { ...labelsOf(object), 'kubernetes.io/metadata.name': name } });
      return true;
    }
    if (gvk.group === '' && gvk.kind === 'Secret') {
      const producer = secretProducer(object)?.producer;
      if (producer === undefined) this.secretProducerMap.get(namespace)?.delete(name);
      else inner(this.secretProducerMap, namespace).set(name, producer);
      return true;
    }
    if (gvk.group !== ESO_GROUP) return false;
    switch (gvk.kind) {
      case 'ClusterSecretStore':
        this.clusterStoreMap.set(name, storeRecord('ClusterSecretStore', name, '', object));
        return true;
      case 'SecretStore':
        inner(this.storeMap, namespace).set(name, storeRecord('SecretStore', name, namespace, object));
        return true;
      case 'ExternalSecret': {
        this.removeExternalSecret(namespace, name);
        const targetName = stringAt(objectAt(objectAt(object, 'spec'), 'target'), 'name') || name;
        const record: ExternalSecretRecord = { namespace, name, targetName };
        inner(this.externalSecretMap, namespace).set(name, record);
        const byTarget = inner(this.targetMap, namespace);
        byTarget.set(targetName, [...(byTarget.get(targetName) ?? []), record]);
        return true;
      }
      default:
        return false;
    }
  }

  remove(object: JsonObject, defaultNamespace = ''): void {
    const gvk = gvkOf(object);
    const name = nameOf(object);
    if (gvk === undefined || name === undefined) return;
    const namespace = namespaceOf(object) ?? defaultNamespace;
    if (gvk.group === '' && gvk.kind === 'Namespace') {
      this.generation++;
      this.namespaceMap.delete(name);
    }
    if (gvk.group === '' && gvk.kind === 'Secret') this.secretProducerMap.get(namespace)?.delete(name);
    if (gvk.group !== ESO_GROUP) return;
    if (gvk.kind === 'ClusterSecretStore') this.clusterStoreMap.delete(name);
    if (gvk.kind === 'SecretStore') this.storeMap.get(namespace)?.delete(name);
    if (gvk.kind === 'ExternalSecret') this.removeExternalSecret(namespace, name);
  }

  private removeExternalSecret(namespace: string, name: string): void {
    const existing = this.externalSecretMap.get(namespace)?.get(name);
    if (existing === undefined) return;
    this.externalSecretMap.get(namespace)?.delete(name);
    const byTarget = this.targetMap.get(namespace);
    const remaining = (byTarget?.get(existing.targetName) ?? []).filter((r) => r.name !== name);
    if (remaining.length === 0) byTarget?.delete(existing.targetName);
    else byTarget?.set(existing.targetName, remaining);
  }

  get counts(): { namespaces: number; clusterSecretStores: number; secretStores: number; externalSecrets: number } {
    let secretStores = 0;
    for (const m of this.storeMap.values()) secretStores += m.size;
    let externalSecrets = 0;
    for (const m of this.externalSecretMap.values()) externalSecrets += m.size;
    return {
      namespaces: this.namespaceMap.size,
      clusterSecretStores: this.clusterStoreMap.size,
      secretStores,
      externalSecrets,
    };
  }

  namespace(name: string): NamespaceRecord | undefined {
    return this.namespaceMap.get(name);
  }
  namespaces(): Iterable<NamespaceRecord> {
    return this.namespaceMap.values();
  }
  clusterSecretStore(name: string): StoreRecord | undefined {
    return this.clusterStoreMap.get(name);
  }
  clusterSecretStores(): Iterable<StoreRecord> {
    return this.clusterStoreMap.values();
  }
  secretStore(namespace: string, name: string): StoreRecord | undefined {
    return this.storeMap.get(namespace)?.get(name);
  }
  secretStores(namespace: string): Iterable<StoreRecord> {
    return this.storeMap.get(namespace)?.values() ?? [];
  }
  externalSecretsTargeting(namespace: string, secretName: string): readonly ExternalSecretRecord[] {
    return this.targetMap.get(namespace)?.get(secretName) ?? EMPTY;
  }
  secretProducer(namespace: string, name: string): SecretProducer | undefined {
    return this.secretProducerMap.get(namespace)?.get(name);
  }

  /** The records as plain data, so a worker thread can rebuild the same index without the objects. */
  snapshot(): ClusterSnapshot {
    const stores = [...this.clusterStoreMap.values()];
    for (const map of this.storeMap.values()) stores.push(...map.values());
    const externalSecrets: ExternalSecretRecord[] = [];
    for (const map of this.externalSecretMap.values()) externalSecrets.push(...map.values());
    const secretProducers: ClusterSnapshot['secretProducers'] = [];
    for (const [namespace, map] of this.secretProducerMap) for (const [name, producer] of map) secretProducers.push([namespace, name, producer]);
    return { synced: this.synced, namespaces: [...this.namespaceMap.values()], stores, externalSecrets, secretProducers };
  }

  static fromSnapshot(snapshot: ClusterSnapshot): ClusterIndex {
    const index = new ClusterIndex();
    for (const record of snapshot.namespaces) index.namespaceMap.set(record.name, record);
    for (const record of snapshot.stores) {
      if (record.kind === 'ClusterSecretStore') index.clusterStoreMap.set(record.name, record);
      else inner(index.storeMap, record.namespace).set(record.name, record);
    }
    for (const record of snapshot.externalSecrets) {
      inner(index.externalSecretMap, record.namespace).set(record.name, record);
      const byTarget = inner(index.targetMap, record.namespace);
      byTarget.set(record.targetName, [...(byTarget.get(record.targetName) ?? []), record]);
    }
    for (const [namespace, name, producer] of snapshot.secretProducers) inner(index.secretProducerMap, namespace).set(name, producer);
    index.synced = snapshot.synced;
    return index;
  }
}

export interface ClusterSnapshot {
  synced: boolean;
  namespaces: NamespaceRecord[];
  stores: StoreRecord[];
  externalSecrets: ExternalSecretRecord[];
  secretProducers: [namespace: string, name: string, producer: SecretProducer][];
}

function inner<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = outer.get(key);
  if (map === undefined) {
    map = new Map();
    outer.set(key, map);
  }
  return map;
}

function storeRecord(kind: StoreRecord['kind'], name: string, namespace: string, object: JsonObject): StoreRecord {
  const spec = objectAt(object, 'spec');
  const conditions = spec?.['conditions'];
  return { kind, name, namespace, labels: labelsOf(object), conditions: conditions ?? undefined, provider: storeProvider(spec) };
}

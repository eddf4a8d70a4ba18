import type { JsonValue } from '../k8s/json.js';
import type { SecretProducer } from '../k8s/secrets.js';

export interface NamespaceRecord {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface StoreRecord {
  kind: 'SecretStore' | 'ClusterSecretStore';
  name: string;
  /** Empty for ClusterSecretStores. */
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** `spec.conditions` as written (ClusterSecretStore only); undefined when absent. */
  conditions: JsonValue | undefined;
  /** The one key of `spec.provider` (`aws/<service>` for AWS); undefined when there is none or more than one. */
  provider: string | undefined;
}

export interface ExternalSecretRecord {
  namespace: string;
  name: string;
  /** `spec.target.name`, defaulting to the ExternalSecret's own name as ESO does. */
  targetName: string;
}

/**
 * Read-only picture of the cluster that rules consult. The webhook fills it from informers,
 * the CLI from the scanned manifests and `--cluster-state`; rules never know which.
 */
export interface ClusterView {
  /** True once the view reflects the cluster (informers synced, or manifests loaded). */
  readonly synced: boolean;
  /**
   * A number that changes whenever a Namespace is added, changed or removed, so results computed from
   * `namespaces()` (a ClusterExternalSecret's target namespaces) can be cached until it moves. A view
   * without it is never cached against.
   */
  readonly generation?: number;
  namespace(name: string): NamespaceRecord | undefined;
  namespaces(): Iterable<NamespaceRecord>;
  clusterSecretStore(name: string): StoreRecord | undefined;
  clusterSecretStores(): Iterable<StoreRecord>;
  secretStore(namespace: string, name: string): StoreRecord | undefined;
  secretStores(namespace: string): Iterable<StoreRecord>;
  /** ExternalSecrets in `namespace` whose target Secret is `secretName`. */
  externalSecretsTargeting(namespace: string, secretName: string): readonly ExternalSecretRecord[];
  /**
   * The controller that produced a Secret, per its own labels, annotations and owners, when the view has
   * seen it. The CLI's view sees the Secrets in the scanned files; the webhook's informers watch no
   * Secrets (reading every Secret is not a permission a policy webhook should hold), so there it is undefined.
   */
  secretProducer(namespace: string, name: string): SecretProducer | undefined;
}

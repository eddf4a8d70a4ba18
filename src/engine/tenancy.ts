import type { ClusterView } from '../cluster/view.js';
import type { TenancyConfig, TenantPolicy } from '../config/types.js';
import { nameMatcher } from './names.js';

export interface Tenant {
  name: string;
  /** Undefined for a namespace in no configured tenant: a tenant of its own with no extra limits. */
  policy: TenantPolicy | undefined;
}

/**
 * The tenant a namespace belongs to: first the tenants' namespace lists (names or anchored
 * regexes), then the `tenantLabel` on the Namespace in the view; otherwise the namespace alone.
 */
export function tenantOf(namespace: string, view: ClusterView, tenancy: TenancyConfig): Tenant {
  for (const [name, policy] of Object.entries(tenancy.tenants)) {
    if (policy.namespaces !== undefined && nameMatcher(policy.namespaces).matches(namespace)) return { name, policy };
  }
  if (tenancy.tenantLabel !== undefined) {
    const labelValue = view.namespace(namespace)?.labels[tenancy.tenantLabel];
    if (labelValue !== undefined && labelValue !== '') return { name: labelValue, policy: tenancy.tenants[labelValue] };
  }
  return { name: namespace, policy: undefined };
}

/** Remote key prefixes of a tenant with `{{namespace}}` and `{{tenant}}` filled in; undefined when unrestricted. */
export function remoteKeyPrefixes(tenant: Tenant, namespace: string): string[] | undefined {
  return tenant.policy?.remoteKeyPrefixes?.map((prefix) =>
    prefix.replaceAll('{{namespace}}', namespace).replaceAll('{{tenant}}', tenant.name),
  );
}

import type { ClusterView } from '../../cluster/view.js';
import type { TenancyConfig, TenantPolicy } from '../../config/types.js';
import { nameMatcher, type NameMatcher } from '../../engine/names.js';

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
  for (const { name, policy, matcher } of listedTenants(tenancy.tenants)) {
    if (matcher.matches(namespace)) return { name, policy };
  }
  if (tenancy.tenantLabel !== undefined) {
    const labelValue = view.namespace(namespace)?.labels[tenancy.tenantLabel];
    if (labelValue !== undefined && labelValue !== '') return { name: labelValue, policy: tenancy.tenants[labelValue] };
  }
  return { name: namespace, policy: undefined };
}

interface ListedTenant {
  name: string;
  policy: TenantPolicy;
  matcher: NameMatcher;
}

/** Tenants with a `namespaces` list, in config order, built once per config (not per request). */
const listed = new WeakMap<TenancyConfig['tenants'], ListedTenant[]>();

function listedTenants(tenants: TenancyConfig['tenants']): ListedTenant[] {
  let result = listed.get(tenants);
  if (result === undefined) {
    result = [];
    for (const [name, policy] of Object.entries(tenants)) {
      if (policy.namespaces !== undefined) result.push({ name, policy, matcher: nameMatcher(policy.namespaces) });
    }
    listed.set(tenants, result);
  }
  return result;
}

/** Remote key prefixes of a tenant with `{{namespace}}` and `{{tenant}}` filled in; undefined when unrestricted. */
export function remoteKeyPrefixes(tenant: Tenant, namespace: string): string[] | undefined {
  return tenant.policy?.remoteKeyPrefixes?.map((prefix) =>
    prefix.replaceAll('{{namespace}}', namespace).replaceAll('{{tenant}}', tenant.name),
  );
}

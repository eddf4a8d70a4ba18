// The chart's audit parts: nothing (no Secret access, no CRDs, no flags) unless audit.enabled.
import t from 'tap';
import { helmOrSkip, render, type K8sObject } from '../chart/helm.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Every (group/resource, verb) any ClusterRole or Role grants without resourceNames. */
function grants(objects: readonly K8sObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') continue;
    for (const rule of (o['rules'] as Rule[] | undefined) ?? []) {
      if (rule.resourceNames !== undefined) continue;
      for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) out.add(`${g}/${r}:${v}`);
    }
  }
  return out;
}

function args(objects: readonly K8sObject[]): string[] {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  const containers = ((deployment?.['spec'] as { template: { spec: { containers: { args: string[] }[] } } } | undefined)?.template.spec.containers) ?? [];
  return containers.flatMap((c) => c.args).filter((a) => a.startsWith('--audit'));
}

t.test('audit off (default): no list on secrets, no PolicyReport CRDs, no audit flags or alerts', async (t) => {
  const helm = helmOrSkip(t);
  if (helm === undefined) return;
  const { objects } = render(helm, [], ['--set', 'metrics.prometheusRule.enabled=true']);
  const granted = grants(objects);
  t.notOk(granted.has('/secrets:list'), 'no list on secrets');
  t.notOk([...granted].some((g) => g.startsWith('wgpolicyk8s.io/')), 'no PolicyReport access');
  t.notOk(objects.some((o) => o.kind === 'CustomResourceDefinition'), 'no CRDs');
  t.same(args(objects), []);
  t.notMatch(JSON.stringify(objects.find((o) => o.kind === 'PrometheusRule')), /SecretGuardAudit/);
});

t.test('audit on: RBAC, CRDs, flags and alerts', async (t) => {
  const helm = helmOrSkip(t);
  if (helm === undefined) return;
  const { objects } = render(helm, [], ['--set', 'audit.enabled=true', '--set', 'audit.intervalMinutes=15', '--set', 'metrics.prometheusRule.enabled=true']);
  const granted = grants(objects);
  for (const g of ['/secrets:list', '/configmaps:list', 'apps/deployments:list', 'external-secrets.io/externalsecrets:list', 'bitnami.com/sealedsecrets:list', 'wgpolicyk8s.io/policyreports:patch', 'wgpolicyk8s.io/clusterpolicyreports:delete']) {
    t.ok(granted.has(g), g);
  }
  t.notOk(granted.has('/secrets:get') || granted.has('/secrets:watch') || granted.has('/secrets:update'), 'list only on Secrets, nothing more');
  t.same(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort(), ['clusterpolicyreports.wgpolicyk8s.io', 'policyreports.wgpolicyk8s.io']);
  t.same(args(objects), ['--audit-interval=15', '--audit-page-size=250', '--audit-page-delay=200', '--audit-max-namespaces=200']);
  t.match(JSON.stringify(objects.find((o) => o.kind === 'PrometheusRule')), /SecretGuardAuditViolations.*SecretGuardAuditStale/);
  const noCrds = render(helm, [], ['--set', 'audit.enabled=true', '--set', 'audit.policyReportCRDs.install=false']).objects;
  t.notOk(noCrds.some((o) => o.kind === 'CustomResourceDefinition'), 'CRDs optional');
});

t.test('values schema refuses unknown audit keys', async (t) => {
  const helm = helmOrSkip(t);
  if (helm === undefined) return;
  t.throws(() => render(helm, [], ['--set', 'audit.intervalMinute=5']));
  t.throws(() => render(helm, [], ['--set', 'audit.intervalMinutes=0']));
});

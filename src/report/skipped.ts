import type { SkippedInput, SkipReason } from '../manifests/load.js';

const WORDS: Record<SkipReason, [string, string]> = {
  'helm-chart': ['Helm chart (render it: helm template … | secretguard scan -)', 'Helm charts (render them: helm template … | secretguard scan -)'],
  values: ['values file', 'values files'],
  'json6902-patch': ['JSON6902 patch', 'JSON6902 patches'],
  'json-data': ['JSON data file', 'JSON data files'],
  'go-template': ['Go template', 'Go templates'],
  'no-kind': ['document with no apiVersion and no kind', 'documents with no apiVersion and no kind'],
  config: ['SecretGuardConfig', 'SecretGuardConfigs'],
  excluded: ['excluded path', 'excluded paths'],
};

/** One line counting what was recognised as not a Kubernetes manifest, by reason; '' when nothing was. */
export function formatSkipped(skipped: readonly SkippedInput[]): string {
  if (skipped.length === 0) return '';
  const counts = new Map<SkipReason, number>();
  for (const entry of skipped) counts.set(entry.reason, (counts.get(entry.reason) ?? 0) + 1);
  const parts = (Object.keys(WORDS) as SkipReason[]).flatMap((reason) => {
    const count = counts.get(reason) ?? 0;
    return count === 0 ? [] : [`${count} ${WORDS[reason][count === 1 ? 0 : 1]}`];
  });
  return `skipped, not Kubernetes manifests: ${parts.join(', ')}\n`;
}

// Real helm (scripts/peers/build.sh helm) for the chart tests: skip loudly when it is missing, fail under CI=true.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { missingPeersMessage, peerPath, peersRequired, warnSkipped } from '../e2e/peers.js';
import { ROOT } from '../helpers/cli.js';

export const CHART = join(ROOT, 'charts', 'secretguard');
export const VALUES_DIR = join(ROOT, 'test', 'chart', 'values');
export const SPOKE_VALUES = ['prod-eu-1', 'staging-us-1'].map((c) => join(ROOT, 'examples', 'argocd', 'clusters', c, 'secretguard.values'));

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** The helm binary, or undefined after failing (CI) or skipping (locally) the test. */
export function helmOrSkip(t: Test): string | undefined {
  const helm = peerPath('helm');
  if (helm !== undefined) return helm;
  const message = missingPeersMessage(['helm']) ?? 'helm not built';
  if (peersRequired()) t.fail(message);
  else {
    warnSkipped(message);
    t.pass(`skipped: ${message}`);
  }
  return undefined;
}

export interface HelmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: string, args: readonly string[]): HelmResult {
  const result = spawnSync(helm, args, { encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: '/tmp/sg-helm-cache', HELM_CONFIG_HOME: '/tmp/sg-helm-config', HELM_DATA_HOME: '/tmp/sg-helm-data' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function templateArgs(valueFiles: readonly string[], extra: readonly string[] = [], release = 'secretguard', namespace = 'secretguard'): string[] {
  return ['template', release, CHART, '--namespace', namespace, ...valueFiles.flatMap((f) => ['--values', f]), ...extra];
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function render(helm: string, valueFiles: readonly string[], extra: readonly string[] = [], release?: string, namespace?: string): { text: string; objects: K8sObject[] } {
  const result = runHelm(helm, templateArgs(valueFiles, extra, release, namespace));
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return { text: result.stdout, objects: parseObjects(result.stdout) };
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/**
 * kustomize's own files: kustomization.yaml (or .yml, or `Kustomization`) holds a Kustomization, often with no
 * apiVersion or kind at all, which kustomize then takes as kustomize.config.k8s.io/v1beta1 Kustomization.
 */
import { basename } from 'node:path';
import type { GroupVersionKind } from './object.js';
import type { JsonObject } from './json.js';

export const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io';

/** File names kustomize reads as a kustomization (`konfig.RecognizedKustomizationFileNames`). */
export const KUSTOMIZATION_FILE_NAMES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILE_NAMES.has(basename(file));
}

/**
 * The kind kustomize gives a document of a kustomization file that names no kind: Kustomization, at the version of
 * its apiVersion when that is kustomize's, v1beta1 when it has none. Undefined for anything else (a Flux
 * `kustomize.toolkit.fluxcd.io` Kustomization names its kind, and is an API object).
 */
export function implicitKustomization(file: string, object: JsonObject): GroupVersionKind | undefined {
  if (!isKustomizationFile(file) || object['kind'] !== undefined) return undefined;
  const apiVersion = object['apiVersion'];
  if (apiVersion === undefined) return { group: KUSTOMIZE_GROUP, version: 'v1beta1', kind: 'Kustomization' };
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${KUSTOMIZE_GROUP}/`)) return undefined;
  return { group: KUSTOMIZE_GROUP, version: apiVersion.slice(KUSTOMIZE_GROUP.length + 1), kind: 'Kustomization' };
}

/**
 * Subjects are built here and only here, one function per source, so the webhook, the CLI and the rule
 * tests give a rule the same defaults. A rule never learns more about its front end than `source`.
 */
import { objectAt, stringAt, type JsonObject } from '../k8s/json.js';
import { implicitKustomization } from '../k8s/kustomize.js';
import { gvkOf, nameOf, namespaceOf, type GroupVersionKind } from '../k8s/object.js';
import { isClusterScoped } from '../k8s/scope.js';
import type { Operation, Requester, Subject } from './types.js';

import { UNNAMED } from '../k8s/object.js';

export { UNNAMED };

export function displayName(subject: Pick<Subject, 'name'>): string {
  return subject.name || UNNAMED;
}

/** The name, else the `generateName` prefix a CREATE gives (`orders-`), else `(unnamed)`. */
export function displayNameOrPrefix(subject: Pick<Subject, 'name' | 'object'>): string {
  return subject.name || stringAt(objectAt(subject.object, 'metadata'), 'generateName') || UNNAMED;
}

/** The fields of an admission.k8s.io/v1 request a subject is made of (admission/schema.ts decodes them). */
export interface AdmissionRequestFields {
  uid: string;
  kind: { group: string; version: string; kind: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: { username?: string; uid?: string; groups?: string[] };
  object?: JsonObject | null;
  oldObject?: JsonObject | null;
  dryRun?: boolean;
}

/** The webhook's subject: everything from the request the API server sent, nothing from the object. */
export function webhookSubject(request: AdmissionRequestFields): Subject {
  const { username, uid, groups } = request.userInfo;
  return {
    gvk: { group: request.kind.group, version: request.kind.version, kind: request.kind.kind },
    object: request.object ?? null,
    oldObject: request.oldObject ?? null,
    operation: request.operation,
    requester: { username: username ?? '', ...(uid !== undefined ? { uid } : {}), groups: groups ?? [] },
    namespace: request.namespace ?? '',
    name: request.name ?? '',
    dryRun: request.dryRun === true,
    source: 'webhook',
    ...(request.subResource !== undefined && request.subResource !== '' ? { subResource: request.subResource } : {}),
    origin: { kind: 'webhook', uid: request.uid },
  };
}

export const CLI_REQUESTER: Requester = { username: 'secretguard-cli', groups: [] };

/**
 * The subject for a manifest: a CREATE by the CLI. A namespaced object that names no namespace gets the
 * default one, as kubectl does; cluster-scoped objects get none. A kustomization file's document without a kind
 * is the Kustomization kustomize takes it for. Undefined without apiVersion and kind.
 */
export function manifestSubject(object: JsonObject, file: string, line: number, defaultNamespace: string): Subject | undefined {
  const gvk = gvkOf(object) ?? implicitKustomization(file, object);
  if (gvk === undefined) return undefined;
  const namespace = isClusterScoped(gvk.group, gvk.kind) ? '' : (namespaceOf(object) ?? defaultNamespace);
  return storedObjectSubject(gvk, object, namespace, { requester: CLI_REQUESTER, source: 'cli', origin: { kind: 'manifest', file, line } });
}

/** Stored objects carry no requester; rules that key on one see this identity, which no GitOps list or exemption names. */
export const AUDIT_REQUESTER: Requester = { username: 'system:secretguard:audit', groups: [] };

/** The subject for an object the cluster already stores (audit): a CREATE by the audit identity. */
export function auditSubject(object: JsonObject, cluster: string): Subject | undefined {
  const gvk = gvkOf(object);
  if (gvk === undefined) return undefined;
  return storedObjectSubject(gvk, object, namespaceOf(object) ?? '', { requester: AUDIT_REQUESTER, source: 'audit', origin: { kind: 'cluster', cluster } });
}

/** A whole object with no request around it (a manifest, a stored object), judged as its creation. */
function storedObjectSubject(
  gvk: GroupVersionKind,
  object: JsonObject,
  namespace: string,
  from: Pick<Subject, 'requester' | 'source' | 'origin'>,
): Subject {
  return { gvk, object, oldObject: null, operation: 'CREATE', namespace, name: nameOf(object) ?? '', dryRun: false, ...from };
}

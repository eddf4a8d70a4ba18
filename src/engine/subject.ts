/**
 * Subjects are built here and only here, one function per source, so the webhook, the CLI and the rule
 * tests give a rule the same defaults. A rule never learns more about its front end than `source`.
 */
import type { JsonObject } from '../k8s/json.js';
import { gvkOf, nameOf, namespaceOf } from '../k8s/object.js';
import { isClusterScoped } from '../k8s/scope.js';
import type { Operation, Requester, Subject } from './types.js';

/** How a subject without a name (CREATE with generateName) is named in messages. */
export const UNNAMED = '(unnamed)';

export function displayName(subject: Pick<Subject, 'name'>): string {
  return subject.name || UNNAMED;
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
 * default one, as kubectl does; cluster-scoped objects get none. Undefined without apiVersion and kind.
 */
export function manifestSubject(object: JsonObject, file: string, line: number, defaultNamespace: string): Subject | undefined {
  const gvk = gvkOf(object);
  if (gvk === undefined) return undefined;
  return {
    gvk,
    object,
    oldObject: null,
    operation: 'CREATE',
    requester: CLI_REQUESTER,
    namespace: isClusterScoped(gvk.group, gvk.kind) ? '' : (namespaceOf(object) ?? defaultNamespace),
    name: nameOf(object) ?? '',
    dryRun: false,
    source: 'cli',
    origin: { kind: 'manifest', file, line },
  };
}

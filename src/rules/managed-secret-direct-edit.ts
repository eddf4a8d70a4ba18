import { createRule } from '../engine/rule.js';
import { ESO_GROUP } from '../k8s/eso-api.js';
import { isObject, objectAt, pointer, type JsonValue } from '../k8s/json.js';
import { ownerReferencesOf, parseApiVersion } from '../k8s/object.js';
import { displayName } from '../engine/subject.js';

interface Options {
  /** Requesters that are the ESO controller (exact usernames; a trailing `*` matches a prefix). */
  externalSecretsControllers: string[];
  /** Requesters that are the Sealed Secrets controller. */
  sealedSecretsControllers: string[];
  /** Requesters always allowed, such as the garbage collector removing a Secret whose owner was deleted. */
  allowedUsers: string[];
}

const OWNERS: Readonly<Record<string, { group: string; option: 'externalSecretsControllers' | 'sealedSecretsControllers' }>> = {
  ExternalSecret: { group: ESO_GROUP, option: 'externalSecretsControllers' },
  SealedSecret: { group: 'bitnami.com', option: 'sealedSecretsControllers' },
};

function matchesAny(entries: readonly string[], username: string): boolean {
  return entries.some((entry) => (entry.endsWith('*') ? username.startsWith(entry.slice(0, -1)) : entry === username));
}

/** What the controller would overwrite: data, stringData and type (keys sorted, so a reordered map is no change). */
function payloadOf(object: JsonValue | null): string {
  if (!isObject(object)) return '';
  const sorted = (map: Record<string, JsonValue> | undefined): [string, JsonValue][] => Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([sorted(objectAt(object, 'data')), sorted(objectAt(object, 'stringData')), object['type'] ?? null]);
}

const defaultOptions: Options = {
      externalSecretsControllers: ['system:serviceaccount:external-secrets:external-secrets'],
      sealedSecretsControllers: ['system:serviceaccount:kube-system:sealed-secrets-controller'],
      allowedUsers: ['system:serviceaccount:kube-system:generic-garbage-collector'],
    };

export default createRule({
  meta: {
    id: 'managed-secret-direct-edit',
    description: 'Secrets owned by an ExternalSecret or SealedSecret should only be changed or deleted by their controller.',
    defaultAction: 'warn',
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }], operations: ['UPDATE', 'DELETE'] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        externalSecretsControllers: { type: 'array', items: { type: 'string', minLength: 1 } },
        sealedSecretsControllers: { type: 'array', items: { type: 'string', minLength: 1 } },
        allowedUsers: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
    defaultOptions,
    messages: {
      editedManagedSecret:
        'Secret {{name}} is owned by {{ownerKind}} {{owner}}; {{user}} changed its data directly, and the next refresh by the controller will silently undo it. Change the {{ownerKind}} (or its source) instead',
      deletedManagedSecret:
        'Secret {{name}} is owned by {{ownerKind}} {{owner}}; {{user}} deleted it directly and the controller will recreate it. Delete or change the {{ownerKind}} instead',
    },
    remediation: 'Edit the owning ExternalSecret (or the value in the external store) or re-seal the SealedSecret; never edit the generated Secret.',
  },
  check(context) {
    const { subject, options } = context;
    const reference = subject.oldObject ?? subject.object;
    if (reference === null) return;
    const refs = ownerReferencesOf(reference);
    const index = refs.findIndex((ref) => ref.controller && OWNERS[ref.kind]?.group === parseApiVersion(ref.apiVersion).group);
    const owner = refs[index];
    if (owner === undefined) return;
    const known = OWNERS[owner.kind];
    if (known === undefined) return;
    const user = subject.requester.username;
    if (matchesAny(options[known.option], user) || matchesAny(options.allowedUsers, user)) return;
    const data = { name: displayName(subject), ownerKind: owner.kind, owner: owner.name, user };
    if (subject.operation === 'DELETE') {
      context.report({ messageId: 'deletedManagedSecret', data, field: pointer('metadata', 'ownerReferences', index) });
      return;
    }
    if (subject.operation !== 'UPDATE' || payloadOf(subject.object) === payloadOf(subject.oldObject)) return;
    context.report({ messageId: 'editedManagedSecret', data, field: pointer('data') });
  },
});

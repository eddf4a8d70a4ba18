import { yamlLib } from '../k8s/yaml-lib.js';
import { createRule } from '../engine/rule.js';
import { arrayAt, isObject, objectAt, pointer, stringAt } from '../k8s/json.js';
import { displayName } from '../engine/subject.js';

interface Options {
  /** Names of Argo CD's settings ConfigMap. */
  configMapNames: string[];
}

export const ESO_MANAGER_PREFIX = 'externalsecrets.external-secrets.io/';
const CUSTOMIZATION = 'resource.customizations.ignoreDifferences.';

/**
 * Argo CD's glob.Match for group and kind (only `*` wildcards matter here), without a regex: the parts between
 * stars must appear in order, the first at the start and the last at the end. Linear in the text.
 */
export function globMatches(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

function ignoresData(path: string, jq: boolean): boolean {
  if (jq) return path === '.data' || path.startsWith('.data.') || path.startsWith('.data[') || path === '.stringData';
  return path === '/data' || path.startsWith('/data/') || path === '/stringData';
}

interface Entry {
  jsonPointers: string[];
  jqPathExpressions: string[];
  managedFieldsManagers: string[];
}

function entryOf(value: unknown): Entry {
  const strings = (key: string): string[] => (arrayAt(value, key) ?? []).filter((v): v is string => typeof v === 'string');
  return { jsonPointers: strings('jsonPointers'), jqPathExpressions: strings('jqPathExpressions'), managedFieldsManagers: strings('managedFieldsManagers') };
}

function parseYaml(text: string): unknown {
  try {
    return yamlLib().parse(text, { maxAliasCount: 10 }) as unknown;
  } catch {
    return undefined;
  }
}

const defaultOptions: Options = { configMapNames: ['argocd-cm'] };

export default createRule({
  meta: {
    id: 'argocd-ignore-differences-scope',
    description: 'Argo CD ignoreDifferences must not hide drift of every Secret\'s data; scope it to ESO with exact managedFieldsManagers.',
    defaultAction: 'warn',
    match: {
      kinds: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'ApplicationSet' },
        { group: '', kind: 'ConfigMap', versions: ['v1'] },
      ],
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { configMapNames: { type: 'array', items: { type: 'string', minLength: 1 } } },
    },
    defaultOptions,
    messages: {
      dataIgnored:
        '{{where}} ignores {{path}} of every Secret, which hides real drift of Secrets ESO does not manage; drop the path and list ESO\'s field managers in managedFieldsManagers instead',
      pointerNotScoped:
        '{{where}} ignores {{path}} of every Secret: Argo CD applies jsonPointers and jqPathExpressions to every matching resource whatever managedFieldsManagers says; keep only managedFieldsManagers to scope the ignore to ESO',
      staleManager:
        '{{where}} lists managedFieldsManager {{manager}}, which matches no ESO write: Argo CD compares manager names exactly and ESO writes as ' +
        ESO_MANAGER_PREFIX +
        '<ExternalSecret name>',
      globManager: '{{where}} lists managedFieldsManager {{manager}}; Argo CD compares manager names exactly, wildcards match nothing',
      managersNotConsulted:
        '{{where}}: managedFieldsManagers under key {{key}} are never consulted (Argo CD looks the override up as /Secret); use ' + CUSTOMIZATION + '_Secret',
    },
    remediation:
      'Replace `jsonPointers: [/data]` on Secrets by `managedFieldsManagers: [externalsecrets.external-secrets.io/<ExternalSecret name>, …]`, one per ExternalSecret, or scope the entry to named Secrets.',
  },
  check(context) {
    const { subject, options } = context;
    const object = subject.object;
    if (object === null) return;
    const name = displayName(subject);

    const checkEntry = (entry: Entry, where: string, fields: { pointers: (i: number) => string; jq: (i: number) => string; managers: (i: number) => string }, checkManagers = true): void => {
      const scoped = entry.managedFieldsManagers.length > 0;
      entry.jsonPointers.forEach((path, i) => {
        if (ignoresData(path, false)) context.report({ messageId: scoped ? 'pointerNotScoped' : 'dataIgnored', data: { where, path }, field: fields.pointers(i) });
      });
      entry.jqPathExpressions.forEach((path, i) => {
        if (ignoresData(path, true)) context.report({ messageId: scoped ? 'pointerNotScoped' : 'dataIgnored', data: { where, path }, field: fields.jq(i) });
      });
      if (!checkManagers) return;
      entry.managedFieldsManagers.forEach((manager, i) => {
        if (manager.includes('*')) context.report({ messageId: 'globManager', data: { where, manager }, field: fields.managers(i) });
        else if (!manager.startsWith(ESO_MANAGER_PREFIX) && /external-?secrets/i.test(manager)) {
          context.report({ messageId: 'staleManager', data: { where, manager }, field: fields.managers(i) });
        }
      });
    };

    if (subject.gvk.kind === 'ConfigMap') {
      if (!options.configMapNames.includes(subject.name)) return;
      const data = objectAt(object, 'data');
      if (data === undefined) return;
      for (const [key, value] of Object.entries(data)) {
        if (typeof value !== 'string') continue;
        const field = pointer('data', key);
        const fields = { pointers: () => field, jq: () => field, managers: () => field };
        const where = `ConfigMap ${name} key ${key}`;
        if (key.startsWith(CUSTOMIZATION)) {
          const suffix = key.slice(CUSTOMIZATION.length);
          if (suffix !== 'Secret' && suffix !== '_Secret' && suffix !== 'all') continue;
          const entry = entryOf(parseYaml(value));
          checkEntry(entry, where, fields);
          if (suffix === 'Secret' && entry.managedFieldsManagers.length > 0) context.report({ messageId: 'managersNotConsulted', data: { where, key }, field });
        } else if (key === 'resource.customizations') {
          const block = parseYaml(value);
          if (!isObject(block)) continue;
          for (const [groupKind, override] of Object.entries(block)) {
            if (!['Secret', '/Secret', '*/*'].includes(groupKind)) continue;
            const text = stringAt(override, 'ignoreDifferences');
            const raw = objectAt(override, 'ignoreDifferences') ?? (text !== undefined ? parseYaml(text) : undefined);
            const entry = entryOf(raw);
            checkEntry(entry, `${where} (${groupKind})`, fields);
            if (groupKind === 'Secret' && entry.managedFieldsManagers.length > 0) {
              context.report({ messageId: 'managersNotConsulted', data: { where, key: `${key} ${groupKind}` }, field });
            }
          }
        }
      }
      return;
    }

    const base = subject.gvk.kind === 'ApplicationSet' ? ['spec', 'template', 'spec', 'ignoreDifferences'] : ['spec', 'ignoreDifferences'];
    let list: unknown = object;
    for (const key of base) list = isObject(list) ? list[key] : undefined;
    if (!Array.isArray(list)) return;
    list.forEach((raw, index) => {
      if (!isObject(raw)) return;
      const group = stringAt(raw, 'group') ?? '';
      const kind = stringAt(raw, 'kind') ?? '';
      if (!globMatches(group, '') || !globMatches(kind, 'Secret')) return;
      if ((stringAt(raw, 'name') ?? '') !== '') return;
      const where = `${subject.gvk.kind} ${name} ignoreDifferences[${index}]`;
      checkEntry(entryOf(raw), where, {
        pointers: (i) => pointer(...base, index, 'jsonPointers', i),
        jq: (i) => pointer(...base, index, 'jqPathExpressions', i),
        managers: (i) => pointer(...base, index, 'managedFieldsManagers', i),
      });
    });
  },
});

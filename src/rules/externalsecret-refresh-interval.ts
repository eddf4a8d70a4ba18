import { createRule } from '../engine/rule.js';
import { objectAt, pointer, stringAt, type JsonObject } from '../k8s/json.js';
import { esoKinds, formatDuration, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE, parseGoDuration } from './support/eso.js';
import { displayName } from '../engine/subject.js';

interface Options {
  min: string;
  max: string;
}

/** Where each kind keeps its refreshInterval, and the refreshPolicy beside it. */
function specOf(kind: string, object: JsonObject): { spec: JsonObject | undefined; base: string[] } | undefined {
  const spec = objectAt(object, 'spec');
  switch (kind) {
    case 'ExternalSecret':
    case 'PushSecret':
      return { spec, base: ['spec'] };
    case 'ClusterExternalSecret':
      return { spec: objectAt(spec, 'externalSecretSpec'), base: ['spec', 'externalSecretSpec'] };
    case 'ClusterPushSecret':
      return { spec: objectAt(spec, 'pushSecretSpec'), base: ['spec', 'pushSecretSpec'] };
    default:
      return undefined;
  }
}

const defaultOptions: Options = { min: '1m', max: '24h' };

export default createRule({
  meta: {
    id: 'externalsecret-refresh-interval',
    description: 'ESO refreshInterval must be a valid Go duration, not 0, and within the configured bounds.',
    defaultAction: 'warn',
    match: { kinds: esoKinds('ExternalSecret', 'ClusterExternalSecret', 'PushSecret', 'ClusterPushSecret') },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { min: { type: 'string', minLength: 1 }, max: { type: 'string', minLength: 1 } },
    },
    defaultOptions,
    messages: {
      never: '{{kind}} {{name}} has refreshInterval {{value}}, so it never refreshes: a rotated secret never reaches the cluster; use a duration such as 1h',
      tooShort: '{{kind}} {{name}} has refreshInterval {{value}}, below the minimum {{min}}: it hammers the secret store and its rate limits',
      tooLong: '{{kind}} {{name}} has refreshInterval {{value}}, above the maximum {{max}}: rotations take too long to arrive',
      invalid:
        '{{kind}} {{name}} has refreshInterval {{value}}, which is not a Go duration (write "1h", "30m", "1h30m" or "90s"; days and bare numbers are invalid); the API server would reject it',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { invalid: 'deny', unknownVersion: 'warn' },
    remediation: 'Set refreshInterval to a quoted Go duration between the configured bounds (default 1m to 24h), for example "1h".',
  },
  check(context) {
    const { subject, options } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const name = displayName(subject);
    if (reportUnknownEsoVersion(context, name)) return;
    const located = specOf(kind, object);
    if (located === undefined) return;
    const { spec, base } = located;
    if (spec === undefined || !('refreshInterval' in spec)) return;
    const raw = spec['refreshInterval'];
    if (raw === null) return;
    const field = pointer(...base, 'refreshInterval');
    const value = JSON.stringify(raw);
    const ns = typeof raw === 'string' ? parseGoDuration(raw) : undefined;
    if (ns === undefined) {
      context.report({ messageId: 'invalid', data: { kind, name, value }, field });
      return;
    }
    // With refreshPolicy CreatedOnce or OnChange (ExternalSecret) the interval is not used.
    const policy = stringAt(spec, 'refreshPolicy');
    if (policy === 'CreatedOnce' || policy === 'OnChange') return;
    // ESO refreshes only for a positive interval: 0 (and a negative one) means never.
    if (ns <= 0) {
      context.report({ messageId: 'never', data: { kind, name, value }, field });
      return;
    }
    const min = parseGoDuration(options.min);
    const max = parseGoDuration(options.max);
    if (min !== undefined && ns < min) context.report({ messageId: 'tooShort', data: { kind, name, value, min: formatDuration(min) }, field });
    else if (max !== undefined && ns > max) context.report({ messageId: 'tooLong', data: { kind, name, value, max: formatDuration(max) }, field });
  },
});

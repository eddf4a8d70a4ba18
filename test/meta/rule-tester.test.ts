// The RuleTester itself (issue 19): a message that keeps a `{{word}}` of its template unfilled is caught, while a
// Go template printed as a value (sealedsecret-template-plaintext's `{{ .key }}`) is not.
import t from 'tap';
import type { Finding, Rule } from '../../src/engine/types.js';
import { unfilledPlaceholders } from '../rule-tester.js';

const rule = {
  meta: { messages: { leak: 'Secret {{name}} key {{key}}: reference it as {{placeholder}}' } },
} as unknown as Rule;
const finding = (message: string): Finding => ({ ruleId: 'r', messageId: 'leak', action: 'deny', message, resource: { apiVersion: 'v1', kind: 'Secret' }, field: '' });

t.test('unfilled placeholders are named; Go templates in values are not', async (t) => {
  t.same(unfilledPlaceholders(rule, finding('Secret db key {{key}}: reference it as {{ .password }}')), ['{{key}}']);
  t.same(unfilledPlaceholders(rule, finding('Secret db key password: reference it as {{ .password }}')), []);
  t.same(unfilledPlaceholders(rule, finding('Secret {{name}} key {{key}}: reference it as {{placeholder}}')), ['{{name}}', '{{key}}', '{{placeholder}}']);
});

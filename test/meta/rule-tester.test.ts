// The RuleTester itself (issue 19): a message that keeps a `{{word}}` of its template unfilled is caught, while a
// Go template printed as a value (sealedsecret-template-plaintext's `{{ .key }}`) is not.
import t from 'tap';
import type { Finding, Rule } from '../../src/engine/types.js';
import noPlaintextSecret from '../../src/rules/no-plaintext-secret.js';
import type { SealedSecretScopeOptions } from '../../src/rules/sealedsecret-scope.js';
import { unfilledPlaceholders, type CaseOptions, type ExpectedFinding, type MessageIdOf } from '../rule-tester.js';

const rule = {
  meta: { messages: { leak: 'Secret {{name}} key {{key}}: reference it as {{placeholder}}' } },
} as unknown as Rule;
const finding = (message: string): Finding => ({ ruleId: 'r', messageId: 'leak', action: 'deny', message, resource: { apiVersion: 'v1', kind: 'Secret' }, field: '' });

t.test('unfilled placeholders are named; Go templates in values are not', async (t) => {
  t.same(unfilledPlaceholders(rule, finding('Secret db key {{key}}: reference it as {{ .password }}')), ['{{key}}']);
  t.same(unfilledPlaceholders(rule, finding('Secret db key password: reference it as {{ .password }}')), []);
  t.same(unfilledPlaceholders(rule, finding('Secret {{name}} key {{key}}: reference it as {{placeholder}}')), ['{{name}}', '{{key}}', '{{placeholder}}']);
});

t.test('cases are typed over the rule: a message id or an option it does not have does not compile', async (t) => {
  const expected: ExpectedFinding<MessageIdOf<typeof noPlaintextSecret>>[] = [
    { messageId: 'plaintextFromGit', action: 'deny', field: '' },
    { messageId: 'ruleError', action: 'error', field: '' },
    // @ts-expect-error: no such message id
    { messageId: 'plaintextFromGitt', action: 'deny', field: '' },
  ];
  const options: CaseOptions<SealedSecretScopeOptions> = {
    allow: [{ namespace: 'platform', scope: 'cluster-wide' }],
    // @ts-expect-error: no such option
    allowed: [],
  };
  t.equal(expected.length, 3);
  t.ok(options.allow);
});

import t from 'tap';
import { conditionsAdmit, isFullyAnchored, parseGoDuration } from '../../../src/rules/support/eso.js';

t.test('parseGoDuration follows time.ParseDuration', async (t) => {
  const valid: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['+0', 0],
    ['0s', 0],
    ['1h', 3600e9],
    ['1h30m', 5400e9],
    ['90s', 90e9],
    ['1.5h', 5400e9],
    ['.5s', 0.5e9],
    ['1.s', 1e9],
    ['300ms', 300e6],
    ['-1.5h', -5400e9],
    ['1µs', 1e3],
    ['1μs', 1e3],
    ['1us', 1e3],
    ['10ns', 10],
    ['1h1m1s1ms', 3661.001e9],
  ];
  for (const [text, ns] of valid) t.equal(parseGoDuration(text), ns, text);
  for (const text of ['', '1d', '90', '00', '.', '.s', '1', 'h', '1hh', '-', '1 h', ' 1h', '1h ', '1H', '1.2.3s', '3000000h', 'x1h']) {
    t.equal(parseGoDuration(text), undefined, JSON.stringify(text));
  }
});

t.test('isFullyAnchored', async (t) => {
  t.ok(isFullyAnchored('^team-a-.*$'));
  t.ok(isFullyAnchored('^(prod|stage)$'));
  t.notOk(isFullyAnchored('prod'));
  t.notOk(isFullyAnchored('^prod'));
  t.notOk(isFullyAnchored('prod$'));
  t.notOk(isFullyAnchored('^prod|dev$'));
  t.notOk(isFullyAnchored('^prod\\$'));
  t.ok(isFullyAnchored('^a[|]b$'));
});

t.test('conditionsAdmit follows shouldProcessSecret', async (t) => {
  const labels = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({ 'kubernetes.io/metadata.name': name, ...extra });
  t.ok(conditionsAdmit(undefined, 'a', labels('a')).admitted, 'no conditions');
  t.ok(conditionsAdmit([], 'a', labels('a')).admitted, 'empty list');
  t.notOk(conditionsAdmit([{}], 'a', labels('a')).admitted, '{} matches nothing');
  t.ok(conditionsAdmit([{ namespaceSelector: {} }], 'a', labels('a')).admitted, 'selector {} matches all');
  t.ok(conditionsAdmit([{ namespaces: ['a'] }], 'a', labels('a')).admitted);
  t.notOk(conditionsAdmit([{ namespaces: ['b'] }], 'a', labels('a')).admitted);
  t.ok(conditionsAdmit([{ namespaceRegexes: ['prod'] }], 'preprod', labels('preprod')).admitted, 'unanchored search');
  t.notOk(conditionsAdmit([{ namespaceRegexes: ['^prod$'] }], 'preprod', labels('preprod')).admitted);
  t.notOk(conditionsAdmit([{ namespaceRegexes: ['(('] }], 'x', labels('x')).admitted, 'bad regex admits nothing');
  t.ok(conditionsAdmit([{ namespaces: ['z'] }, { namespaceSelector: { matchLabels: { team: 'a' } } }], 'x', labels('x', { team: 'a' })).admitted, 'conditions are ORed');
  t.notOk(conditionsAdmit('nope', 'x', labels('x')).admitted, 'wrong type');
});

import t from 'tap';
import { ManifestError, parseManifests, SliceLineFinder, splitDocuments } from '../../src/manifests/load.js';

const source = (text: string) => ({ name: 'in.yaml', text });

t.test('multi-document YAML with empty documents and comments', async (t) => {
  const manifests = parseManifests(source('---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n'));
  t.same(manifests.map((m) => [m.object['kind'], m.line, m.documentIndex]), [['ConfigMap', 4, 1], ['Secret', 11, 3]]);
});

t.test('JSON files and kind: List / *List are flattened with item lines', async (t) => {
  const json = parseManifests({ name: 'a.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }] }, null, 2) });
  t.same(json.map((m) => [m.object['kind'], m.pointerPrefix]), [['Secret', '/items/0']]);
  const list = parseManifests(source('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n'));
  t.same(list.map((m) => [m.object['kind'], m.line]), [['Secret', 4], ['ConfigMap', 7]]);
});

t.test('BOM and CRLF line endings', async (t) => {
  const manifests = parseManifests(source('\uFEFFapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n'));
  t.equal(manifests[0]?.object['kind'], 'ConfigMap');
});

t.test('syntax errors carry file and line, and never quote the source', async (t) => {
  const secret = 'hunter2-canary-value';
  const error = t.throws(() => parseManifests(source(`apiVersion: v1\nkind: Secret\nstringData:\n  password: "${secret}\n  other: [\n`)));
  t.ok(error instanceof ManifestError);
  t.match((error as ManifestError).message, /^in\.yaml:\d+: YAML syntax error/);
  t.notMatch((error as ManifestError).message, secret);
});

t.test('duplicate keys, scalars and alias bombs are refused', async (t) => {
  t.throws(() => parseManifests(source('kind: Secret\nkind: ConfigMap\n')), ManifestError);
  t.throws(() => parseManifests(source('apiVersion: v1\nkind: ConfigMap\nx: &x {a: 1}\ndata: {a: "1"}\ndata: {c: "3"}\n')), ManifestError, 'with an anchor');
  t.throws(() => parseManifests(source('just a string\n')), /expected a mapping/);
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(',')}]`);
  bomb.push('kind: List');
  t.throws(() => parseManifests(source(bomb.join('\n') + '\n')), /alias/);
});

t.test('shell `&&` and globs in strings take the fast parser: multi-line quoted strings go-yaml accepts are accepted', async (t) => {
  const variants = [
    'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n  - name: a\n    container:\n      args: ["cd /src && make &&\n      make test"]\n',
    'apiVersion: v1\nkind: ConfigMap\ndata:\n  run: "a && b\n  c"\n',
    'apiVersion: v1\nkind: ConfigMap\ndata:\n  glob: "*.yaml && &&x"\n  s: \'x && *y\n  z\'\n',
    'apiVersion: v1\nkind: ConfigMap\ndata:\n  script: |\n    a && b\n    ls *.txt &x\n  cmd: sh -c "true && false"\n',
  ];
  for (const text of variants) t.equal(parseManifests(source(text)).length, 1, JSON.stringify(text));
  // A real anchor still takes the guarded parser, which refuses an alias bomb.
  t.same(parseManifests(source('apiVersion: v1\nkind: ConfigMap\nx: &a {k: v}\ndata: *a\n'))[0]?.object['data'], { k: 'v' });
});

t.test('SliceLineFinder points at the key of a field, falling back to the nearest parent', async (t) => {
  const text = '# leading\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: a\n  data:\n    password: eA==\n    user: eA==\n';
  const slices = splitDocuments(text);
  const finder = new SliceLineFinder(slices[slices.length - 1]!);
  t.equal(finder.lineOf('/items/0/data/user', 1), 12);
  t.equal(finder.lineOf('/items/0/data/missing', 1), 10);
  t.equal(finder.lineOf('/items/0/metadata/name', 1), 9);
});

t.test('JSON documents: the JSON.parse path gives what the YAML path gives, and refuses what it refuses', async (t) => {
  const object = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'a', labels: { 'x/y': 'z', ['__proto__']: 'kept as a key' } },
    stringData: { 'p\u00e9': 'v\n"q"', empty: '', n: '12', quoted: '\\u0061' },
    data: { b: 'eA==' },
    nums: [1, 1.5, -2e3, true, false, null, { nested: [[], {}] }],
  };
  const text = JSON.stringify(object, null, 2);
  const viaJson = parseManifests({ name: 'a.json', text });
  // The same text with a YAML comment before it is not JSON: it takes the YAML path.
  const viaYaml = parseManifests({ name: 'a.yaml', text: `# comment\n${text}` });
  t.same(viaJson.map((m) => m.object), viaYaml.map((m) => m.object));
  t.equal(viaJson[0]?.line, 1);
  t.equal(parseManifests({ name: 'b.json', text: `\n\n  ${JSON.stringify(object)}` })[0]?.line, 3, 'line of the first content');

  const duplicates = [
    '{"apiVersion":"v1","kind":"Secret","stringData":{"a":"1","a":"2"}}',
    '{"apiVersion":"v1","kind":"Secret","stringData":{"a":"1","\\u0061":"2"}}',
    '{"apiVersion":"v1","kind":"Secret","kind":"ConfigMap"}',
    '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [{"kind": "Secret", "data": {"k": "eA==", "k" : "eA=="}}]\n}',
  ];
  for (const dup of duplicates) t.throws(() => parseManifests({ name: 'd.json', text: dup }), /duplicated mapping key/, dup);
  // Keys that only look alike, or repeat in different objects or in arrays, are not duplicates.
  const distinct = [
    '{"apiVersion":"v1","kind":"Secret","stringData":{"a":"1","A":"2","a ":"3","\\"a":"4"}}',
    '{"apiVersion":"v1","kind":"List","items":[{"kind":"Secret","metadata":{"name":"kind"}},{"kind":"Secret"}]}',
    '{"apiVersion":"v1","kind":"ConfigMap","data":{"x":"{\\"a\\":1,\\"a\\":2}"}}',
  ];
  for (const text of distinct) t.doesNotThrow(() => parseManifests({ name: 'ok.json', text }), text);
  // Not JSON.parse-able (flow YAML, a syntax error): the YAML path reads it or names the line.
  t.same(parseManifests({ name: 'f.yaml', text: '{apiVersion: v1, kind: ConfigMap, data: {a: b}}' })[0]?.object, { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
  t.throws(() => parseManifests({ name: 'e.json', text: '{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "data": {"a": \n}' }), /^e\.json:\d+: YAML syntax error/);
});

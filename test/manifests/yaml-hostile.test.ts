// YAML shapes built to get past the rules or to leak through an error: merge keys (`<<`) that kubectl and
// kustomize resolve through go-yaml, and syntax errors whose text would quote a secret. Both of the loader's
// parsers are driven: js-yaml (the fast path) and the `yaml` package (taken when a document has anchors).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { jsYamlReason, ManifestError, parseManifests } from '../../src/manifests/load.js';
import { runCli } from '../helpers/cli.js';

const CANARY = 'Kq7vXw9TzR4mN2pL8sYc';
const source = (text: string) => ({ name: 'in.yaml', text });

/** An unrelated anchor sends the document to the `yaml` package's parser. */
const viaYamlPackage = (text: string) => text.replace('metadata:\n  name:', 'metadata: &meta\n  name:');

const secretHead = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: merged\n';

/** Merge shapes and what go-yaml makes of them: explicit keys win, earlier maps of a sequence win. */
const mergeCases: { name: string; text: string; pointer: string[]; expected: unknown }[] = [
  { name: 'inline map merged into stringData', text: `${secretHead}stringData:\n  <<: {password: ${CANARY}}\n`, pointer: ['stringData'], expected: { password: CANARY } },
  {
    name: 'alias merged into stringData',
    text: `${secretHead}defaults: &creds\n  password: ${CANARY}\nstringData:\n  <<: *creds\n`,
    pointer: ['stringData'],
    expected: { password: CANARY },
  },
  {
    name: 'sequence of aliases: the earlier map wins',
    text: `${secretHead}a: &a {password: ${CANARY}}\nb: &b {password: decoy, user: admin}\nstringData:\n  <<: [*a, *b]\n`,
    pointer: ['stringData'],
    expected: { password: CANARY, user: 'admin' },
  },
  {
    name: 'explicit key after the merge wins',
    text: `${secretHead}stringData:\n  <<: {password: decoy}\n  password: ${CANARY}\n`,
    pointer: ['stringData'],
    expected: { password: CANARY },
  },
  {
    name: 'explicit key before the merge wins',
    text: `${secretHead}stringData:\n  password: ${CANARY}\n  <<: {password: decoy}\n`,
    pointer: ['stringData'],
    expected: { password: CANARY },
  },
  {
    name: 'nested merge: a merged map that merges again',
    text: `${secretHead}inner: &inner {password: ${CANARY}}\nouter: &outer\n  <<: *inner\n  user: admin\nstringData:\n  <<: *outer\n`,
    pointer: ['stringData'],
    expected: { password: CANARY, user: 'admin' },
  },
  {
    name: 'container list entry built by a merge',
    text: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: merged\nspec:\n  containers:\n  - <<: {name: app, image: app:1, env: [{name: DB_PASSWORD, value: ${CANARY}}]}\n`,
    pointer: ['spec', 'containers'],
    expected: [{ name: 'app', image: 'app:1', env: [{ name: 'DB_PASSWORD', value: CANARY }] }],
  },
];

function at(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const segment of path) node = (node as Record<string, unknown> | undefined)?.[segment];
  return node;
}

t.test('merge keys resolve as go-yaml resolves them, in both parsers', async (t) => {
  for (const entry of mergeCases) {
    for (const [parser, text] of [
      ['js-yaml', entry.text],
      ['yaml', viaYamlPackage(entry.text)],
    ] as const) {
      const [manifest] = parseManifests(source(text));
      t.same(at(manifest?.object, entry.pointer), entry.expected, `${entry.name} (${parser})`);
      t.notOk(JSON.stringify(manifest?.object).includes('"<<"'), `${entry.name} (${parser}): no literal << key is left`);
    }
  }
});

t.test('a merge key whose value is not a mapping is an error that quotes nothing', async (t) => {
  for (const text of [`${secretHead}stringData:\n  <<: ${CANARY}\n`, `${secretHead}stringData:\n  <<: [${CANARY}]\n`]) {
    for (const variant of [text, viaYamlPackage(text)]) {
      const error = t.throws(() => parseManifests(source(variant))) as ManifestError;
      t.ok(error instanceof ManifestError, 'a ManifestError');
      t.notMatch(error.message, CANARY);
    }
  }
});

t.test('merged credentials are found by the CLI (exit 1), in every shape', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-merge-'));
  mergeCases.forEach((entry, index) => {
    for (const [parser, text] of [
      ['js', entry.text],
      ['yaml', viaYamlPackage(entry.text)],
    ] as const) {
      const file = join(dir, `${String(index)}-${parser}.yaml`);
      writeFileSync(file, text);
      const result = runCli(['scan', file]);
      t.equal(result.code, 1, `${entry.name} (${parser}): exit 1`);
      t.match(result.stdout, /deny \[no-(plaintext-secret|credential-in-env)\]/, `${entry.name} (${parser}): denied`);
      t.notMatch(result.stdout + result.stderr, CANARY, `${entry.name} (${parser}): value not printed`);
    }
  });
});

/** Syntax errors with a canary where the parser would copy the input into its message; line is 1-based. */
const errorCases: { name: string; text: string; line: number }[] = [
  { name: 'unknown verbatim tag', text: `${secretHead}stringData:\n  password: !<${CANARY}>\n`, line: 6 },
  { name: 'unknown local tag', text: `${secretHead}stringData:\n  password: !${CANARY} x\n`, line: 6 },
  { name: 'unknown tag at the end of the file without a newline', text: `${secretHead}stringData:\n  password: !<${CANARY}>`, line: 6 },
  { name: 'unknown tag on a mapping', text: `${secretHead}stringData: !<${CANARY}>\n  password: x\n`, line: 5 },
  { name: 'unidentified alias', text: `${secretHead}stringData:\n  password: *${CANARY}\n`, line: 6 },
  { name: 'undeclared tag handle', text: `${secretHead}stringData:\n  password: !${CANARY}!x y\n`, line: 6 },
  { name: 'TAG directive with a secret prefix', text: `%TAG !e! ${CANARY}\n---\n${secretHead}stringData:\n  a: !e!x y\n`, line: 8 },
  { name: 'unclosed double quote', text: `${secretHead}stringData:\n  password: "${CANARY}\n`, line: 6 },
  { name: 'bad indentation after a secret', text: `${secretHead}stringData:\n  password: ${CANARY}\n bad: x\n`, line: 7 },
  { name: 'duplicate key holding a secret', text: `${secretHead}stringData:\n  ${CANARY}: a\n  ${CANARY}: b\n`, line: 7 },
  { name: 'tab indentation', text: `${secretHead}stringData:\n\tpassword: ${CANARY}\n`, line: 6 },
  { name: 'invalid escape in a quoted secret', text: `${secretHead}stringData:\n  password: "${CANARY}\\q"\n`, line: 6 },
];

t.test('syntax errors never quote the input and name the right line, in both parsers', async (t) => {
  for (const entry of errorCases) {
    const variants: [string, string][] = [['js-yaml', entry.text]];
    if (viaYamlPackage(entry.text) !== entry.text) variants.push(['yaml', viaYamlPackage(entry.text)]);
    for (const [parser, text] of variants) {
      let error: unknown;
      try {
        parseManifests(source(text));
      } catch (caught) {
        error = caught;
      }
      if (!(error instanceof ManifestError)) {
        // The `yaml` package accepts a few shapes js-yaml refuses (an unknown tag is only a warning there).
        t.equal(parser, 'yaml', `${entry.name} (${parser}): only the yaml package may accept it`);
        continue;
      }
      t.notMatch(error.message, CANARY.slice(0, 8), `${entry.name} (${parser}): no input in "${error.reason}"`);
      t.equal(error.line, entry.line, `${entry.name} (${parser}): line`);
    }
  }
});

t.test('jsYamlReason keeps the words and drops what js-yaml copies from the input', async (t) => {
  t.equal(jsYamlReason(`unknown tag !<${CANARY}>`), 'unknown tag');
  t.equal(jsYamlReason(`unidentified alias "${CANARY}"`), 'unidentified alias');
  t.equal(jsYamlReason(`tag name is malformed: ${CANARY}`), 'tag name is malformed');
  t.equal(jsYamlReason(`unacceptable node kind for !<${CANARY}> tag; it should be "scalar", not "mapping"`), 'unacceptable node kind');
  t.equal(jsYamlReason(`cannot resolve a node with !<${CANARY}> explicit tag`), 'cannot resolve a node');
  t.equal(jsYamlReason('bad indentation of a mapping entry'), 'bad indentation of a mapping entry');
});

t.test('the CLI never prints an error canary: every format, one thread and workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-yaml-errors-'));
  const files = errorCases.map((entry, index) => {
    const file = join(dir, `${String(index).padStart(2, '0')}.yaml`);
    writeFileSync(file, entry.text);
    return file;
  });
  for (const workers of ['1', '2']) {
    for (const format of ['text', 'json', 'sarif', 'junit']) {
      for (const file of files.slice(0, 4).concat(files.slice(-3))) {
        const result = runCli(['scan', '-f', format, file], undefined, undefined, { SECRETGUARD_WORKERS: workers });
        t.not(result.code, 0, `${file} ${format} workers=${workers}: fails`);
        t.notMatch(result.stdout + result.stderr, CANARY.slice(0, 8), `${file} ${format} workers=${workers}: no canary`);
      }
      const all = runCli(['scan', '-f', format, dir], undefined, undefined, { SECRETGUARD_WORKERS: workers });
      t.notMatch(all.stdout + all.stderr, CANARY.slice(0, 8), `whole directory ${format} workers=${workers}: no canary`);
    }
  }
});

t.test('directives belong to the document the next marker opens', async (t) => {
  for (const head of ['%YAML 1.2\n', '# comment\n%YAML 1.2\n%TAG !e! tag:example.com,2000:\n', `%${CANARY} unknown directive\n`]) {
    const manifests = parseManifests(source(`${head}---\n${secretHead}stringData:\n  a: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n`));
    t.same(
      manifests.map((m) => [m.object['kind'], m.line]),
      [
        ['Secret', head.split('\n').length + 1],
        ['ConfigMap', head.split('\n').length + 8],
      ],
      JSON.stringify(head.slice(0, 12)),
    );
  }
});

// Where the image and chart come from, and what Argo CD needs to deploy them per spoke (issue 17): the release
// workflow, package.json, Chart.yaml, the chart's image.repository and the example ApplicationSet agree, and
// the workflow's version check is run for real (bash) on a matching and a mismatching tag.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { allMutators } from '../src/mutators/registry.js';
import { ROOT } from './helpers/cli.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const workflow = parse(read('.github/workflows/release.yml')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;
const chart = parse(read('charts/secretguard/Chart.yaml')) as { version: string; appVersion: string; home: string };
const values = parse(read('charts/secretguard/values.yaml')) as { image: { repository: string } };

t.test('versions: package.json, Chart.yaml version and appVersion are one version', async (t) => {
  t.equal(chart.version, packageVersion);
  t.equal(chart.appVersion, packageVersion);
});

t.test('the release workflow builds a multi-arch image to GHCR and pushes the chart as OCI to the same owner', async (t) => {
  t.same(workflow.on.push.tags, ['v*.*.*'], 'runs on version tags');
  t.equal(workflow.permissions['packages'], 'write', 'may push packages');
  t.equal(workflow.env['IMAGE'], values.image.repository, 'pushes the image the chart pulls by default');
  const owner = /^ghcr\.io\/([^/]+)\//.exec(values.image.repository)?.[1];
  t.equal(workflow.env['CHART_REPOSITORY'], `oci://ghcr.io/${owner ?? '?'}/charts`, 'the chart goes next to the image');
  const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
  t.ok(build, 'a build-push step');
  t.same(String(build?.with?.['platforms']).split(','), ['linux/amd64', 'linux/arm64'], 'multi-arch');
  t.equal(build?.with?.['push'], true);
  t.match(String(build?.with?.['tags']), '${{ env.IMAGE }}:${{ steps.version.outputs.version }}', 'tagged with the checked version');
  const push = steps.find((s) => s.run?.includes('helm push'));
  t.match(push?.run ?? '', 'helm package charts/secretguard');
  t.match(push?.run ?? '', '"$CHART_REPOSITORY"');
  const helm = steps.find((s) => s.uses?.startsWith('azure/setup-helm@'));
  const pinned = /^HELM_VERSION=(.*)$/m.exec(read('scripts/peers/versions.env'))?.[1];
  t.equal(helm?.with?.['version'], pinned, 'the same Helm as the chart tests use');
});

t.test("the workflow's version check passes on the right tag and fails on any other (run with bash)", async (t) => {
  const check = steps.find((s) => s.id === 'version');
  t.ok(check?.run, 'a version step');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-release-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  const run = (tag: string) => {
    const output = path.join(dir, `out-${tag}`);
    const result = spawnSync('bash', ['-e', '-c', check?.run ?? 'false'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GITHUB_REF_NAME: tag, GITHUB_OUTPUT: output } });
    let written = '';
    try { written = readFileSync(output, 'utf8'); } catch { /* not written on failure */ }
    return { code: result.status, written };
  };
  const good = run(`v${packageVersion}`);
  t.equal(good.code, 0, `v${packageVersion} passes`);
  t.equal(good.written, `version=${packageVersion}\n`, 'the version goes to the later steps');
  for (const tag of ['v9.9.9', `v${packageVersion}-rc.1`, packageVersion + '.1']) {
    t.not(run(tag).code, 0, `${tag} fails`);
  }
});

interface IgnoreDifference { group: string; kind: string; jsonPointers?: string[] }
const appSet = parseAllDocuments(read('examples/argocd/secretguard-applicationset.yaml'))[0]?.toJS() as {
  spec: { template: { spec: { sources: { repoURL: string; path?: string }[]; ignoreDifferences: IgnoreDifference[] } } };
};

t.test('the example ApplicationSet: one repository URL, and no drift on any kind the mutator writes', async (t) => {
  const chartSource = appSet.spec.template.spec.sources.find((s) => s.path === 'charts/secretguard');
  t.equal(chartSource?.repoURL, chart.home, 'the chart source is the repository Chart.yaml names');
  const ignored = appSet.spec.template.spec.ignoreDifferences;
  for (const mutator of allMutators) {
    for (const kind of mutator.meta.match.kinds) {
      const entry = ignored.find((i) => i.group === kind.group && i.kind === kind.kind);
      t.ok(entry?.jsonPointers?.includes('/metadata/annotations/secret.reloader.stakater.com~1reload'), `${kind.group}/${kind.kind}: the Reloader annotation is ignored`);
    }
  }
  t.match(read('examples/argocd/secretguard-applicationset.yaml'), 'Argo CD 2.6 or later', 'states the Argo CD version it needs');
});

t.test('per-spoke values document image.repository', async (t) => {
  for (const cluster of ['prod-eu-1', 'staging-us-1']) {
    const spoke = parse(read(`examples/argocd/clusters/${cluster}/secretguard.values`)) as { image?: { repository?: string } };
    t.equal(spoke.image?.repository, values.image.repository, `${cluster}: image.repository shown`);
  }
});

import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { KubeConfig } from '@kubernetes/client-node';
import { auditFleet, clusterSecrets, formatFleetHtml, formatFleetJson, formatFleetText, spokeFromSecret, type FleetCluster } from '../audit/fleet.js';
import { KubeConfigError, loadKubeConfig } from '../audit/kubeconfig.js';
import { formatPolicyReports } from '../audit/policyreport.js';
import { runAudit, type AuditResult } from '../audit/run.js';
import { formatAuditText } from '../audit/text.js';
import { KubeConfigTransport } from '../cluster/informers.js';
import type { Engine } from '../engine/engine.js';
import { buildEngine, loadEffectiveConfig } from '../setup.js';
import { formatJson } from '../report/json.js';
import { formatJunit } from '../report/junit.js';
import { formatSarif } from '../report/sarif.js';
import { allRules } from '../rules/registry.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { checkRuleIds, collect, type ReportCommandOptions } from './options.js';
import { failingActions } from './scan.js';
import { VERSION } from './version.js';

interface AuditCommandOptions extends ReportCommandOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  format: 'text' | 'json' | 'sarif' | 'junit' | 'policyreport' | 'html';
  pageSize: number;
  pageDelay: number;
  argocdClusters?: boolean;
  fromPolicyreports?: boolean;
  argocdNamespace: string;
  concurrency: number;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

async function runFleet(engine: Engine, kc: KubeConfig, options: AuditCommandOptions): Promise<void> {
  if (options.format !== 'text' && options.format !== 'json' && options.format !== 'html') throw new UsageError('--argocd-clusters writes text, json or html');
  let clusters: FleetCluster[];
  try {
    const secrets = await clusterSecrets(new KubeConfigTransport(kc), options.argocdNamespace);
    clusters = await auditFleet(engine, secrets.map(spokeFromSecret), {
      pageSize: options.pageSize,
      pageDelayMs: options.pageDelay,
      concurrency: options.concurrency,
      fromPolicyReports: options.fromPolicyreports === true,
    });
  } catch (error) {
    process.stderr.write(`secretguard: cannot read Argo CD's cluster Secrets on the hub (${error instanceof Error ? error.name + (error.message.startsWith('HTTP ') ? ` ${error.message}` : '') : 'error'})\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const text = options.format === 'json' ? formatFleetJson(clusters) : options.format === 'html' ? formatFleetHtml(clusters) : formatFleetText(clusters);
  if (options.output !== undefined) writeFileSync(options.output, text);
  else process.stdout.write(text);
  const failing = failingActions(options.failOn);
  const fails = clusters.some((c) => c.worst?.some((w) => failing(w.action)) === true);
  process.exitCode = fails ? EXIT_FINDINGS : clusters.every((c) => c.status === 'ok') ? EXIT_OK : EXIT_USAGE;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('check what the cluster already stores, through the API, with the same rules and exit codes as scan')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <namespace>', 'audit only this namespace (cluster-scoped kinds are still read for the view)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'junit', 'policyreport', 'html']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'SecretGuardConfig file (defaults are embedded)')
    .option('-r, --rule <id>', 'run only this rule (repeatable)', collect)
    .addOption(new Option('--fail-on <level>', 'lowest action that fails the run').choices(['warn', 'deny']).default('deny'))
    .option('-q, --quiet', 'print only failing findings and no summary')
    .option('--no-color', 'never colour the text output')
    .addOption(new Option('--page-size <n>', 'objects per list request').argParser(positiveInteger).default(500))
    .addOption(new Option('--page-delay <ms>', 'pause between two list requests').argParser(wholeNumber).default(0))
    .option('--argocd-clusters', 'on an Argo CD hub: audit every spoke its cluster Secrets name (text or json)')
    .option('--from-policyreports', "with --argocd-clusters: read each spoke's secretguard PolicyReports (its background audit) instead of auditing it")
    .option('--argocd-namespace <namespace>', 'namespace of Argo CD\'s cluster Secrets', 'argocd')
    .addOption(new Option('--concurrency <n>', 'spokes audited at the same time').argParser(positiveInteger).default(4))
    .action(async (options: AuditCommandOptions) => {
      if (options.format === 'html' && options.argocdClusters !== true) throw new UsageError('--format html is the fleet page of --argocd-clusters');
      if (options.fromPolicyreports === true && options.argocdClusters !== true) throw new UsageError('--from-policyreports goes with --argocd-clusters');
      const config = loadEffectiveConfig(options.config);
      checkRuleIds(options.rule);
      let kc: KubeConfig;
      try {
        kc = loadKubeConfig(options.kubeconfig, options.context);
      } catch (error) {
        throw error instanceof KubeConfigError ? new UsageError(error.message) : error;
      }
      const cluster = kc.getCurrentContext() || 'cluster';
      const engine = buildEngine(config);
      if (options.argocdClusters === true) {
        await runFleet(engine, kc, options);
        return;
      }
      let result: AuditResult;
      try {
        result = await runAudit(engine, new KubeConfigTransport(kc), {
          cluster,
          pageSize: options.pageSize,
          pageDelayMs: options.pageDelay,
          ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
          ...(options.rule !== undefined ? { only: new Set(options.rule) } : {}),
        });
      } catch (error) {
        process.stderr.write(`secretguard: cannot read the cluster's API (${error instanceof Error ? error.name + (error.message.startsWith('HTTP ') ? ` ${error.message}` : '') : 'error'})\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      const { report, unlisted } = result;
      const failing = failingActions(options.failOn);
      const color = options.color && options.output === undefined && process.stdout.isTTY && process.env['NO_COLOR'] === undefined;
      let text: string;
      switch (options.format) {
        case 'json':
          text = formatJson(report);
          break;
        case 'sarif':
          text = formatSarif(report, allRules, VERSION);
          break;
        case 'junit':
          text = formatJunit(report, failing);
          break;
        case 'policyreport':
          text = formatPolicyReports(report.resources);
          break;
        case 'html':
          return;
        case 'text':
          text = formatAuditText(report, { color, quiet: options.quiet === true, failing, cluster, unlisted });
          break;
      }
      if (options.output !== undefined) writeFileSync(options.output, text);
      else process.stdout.write(text);
      if (unlisted.length > 0 && options.format !== 'text') {
        for (const u of unlisted) process.stderr.write(`secretguard: not audited: ${u.kind} (${u.reason})\n`);
      }
      // An audit that could not read every kind must not pass as clean.
      if (report.findings.some((f) => failing(f.action))) process.exitCode = EXIT_FINDINGS;
      else process.exitCode = unlisted.length > 0 ? EXIT_USAGE : EXIT_OK;
    });
}

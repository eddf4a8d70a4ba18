// Locates the real peer binaries built by scripts/peers/build.sh.
//
// A peer lives in .cache/peers/<name>-<version>/<name>, with <version> taken
// from scripts/peers/versions.env. SECRETGUARD_PEERS_DIR overrides the
// .cache/peers directory (as in build.sh), and PEER_<NAME> (for example
// PEER_KUBE_APISERVER) points at one binary directly.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS = ['kube-apiserver', 'kubectl', 'etcd', 'helm', 'kubeseal', 'reloader'] as const;
export type PeerName = (typeof PEERS)[number];

const VERSION_VARS: Record<PeerName, string> = {
  'kube-apiserver': 'KUBERNETES_VERSION',
  kubectl: 'KUBERNETES_VERSION',
  etcd: 'ETCD_VERSION',
  helm: 'HELM_VERSION',
  kubeseal: 'KUBESEAL_VERSION',
  reloader: 'RELOADER_VERSION',
};

/** Repository root: this file runs from dist/test/e2e/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const versionsFile = path.join(repoRoot, 'scripts', 'peers', 'versions.env');

let versionsCache: Record<string, string> | undefined;

/** Parses scripts/peers/versions.env (plain NAME=value lines, # comments). */
export function peerVersions(): Record<string, string> {
  if (versionsCache !== undefined) return versionsCache;
  const out: Record<string, string> = {};
  for (const raw of readFileSync(versionsFile, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  versionsCache = out;
  return out;
}

export function peerVersion(name: PeerName): string | undefined {
  return peerVersions()[VERSION_VARS[name]];
}

export function peersDir(): string {
  const override = process.env.SECRETGUARD_PEERS_DIR;
  return override !== undefined && override !== '' ? path.resolve(override) : path.join(repoRoot, '.cache', 'peers');
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the peer binary, or undefined when it has not been built. */
export function peerPath(name: PeerName): string | undefined {
  const envVar = `PEER_${name.toUpperCase().replaceAll('-', '_')}`;
  const direct = process.env[envVar];
  if (direct !== undefined && direct !== '') return isExecutableFile(direct) ? path.resolve(direct) : undefined;
  const version = peerVersion(name);
  if (version === undefined) return undefined;
  const p = path.join(peersDir(), `${name}-${version}`, name);
  return isExecutableFile(p) ? p : undefined;
}

/** The peers among `names` that are not built. */
export function missingPeers(names: readonly PeerName[]): PeerName[] {
  return names.filter((n) => peerPath(n) === undefined);
}

/**
 * What a test should do about missing peers: undefined when all are present,
 * otherwise a message. In CI (CI=true) a missing peer is a failure; locally
 * the test skips, loudly.
 */
export function missingPeersMessage(names: readonly PeerName[]): string | undefined {
  const missing = missingPeers(names);
  if (missing.length === 0) return undefined;
  return (
    `e2e peers not built: ${missing.join(', ')} ` +
    `(looked in ${peersDir()}); run: scripts/peers/build.sh ${missing.join(' ')}`
  );
}

/**
 * Peers that cannot be had on this project's machines, with the reason. A test needing one skips with the
 * reason even under CI=true: nothing a run could install would make it pass.
 */
export const UNAVAILABLE_PEERS: Partial<Record<PeerName, string>> = {
  reloader:
    'the Go module proxy refuses github.com/stakater/Reloader (403 "This module version is not available"), so real Reloader cannot be built here',
};

/** True when a missing peer must fail the run instead of skipping it. */
export function peersRequired(): boolean {
  return process.env.CI === 'true';
}

/** Prints a banner to stderr so a skipped e2e test is hard to overlook. */
export function warnSkipped(message: string): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n!!! SKIPPING E2E TEST: ${message}\n${bar}\n\n`);
}

import t from 'tap';
import { allDetectors, detectCredentials } from '../../src/detectors/detect.js';
import { GITHUB_CLASSIC, RSA_KEY } from './fixtures.js';

const MiB = 1024 * 1024;

/** Inputs built to make a backtracking regex go quadratic: long runs of each pattern's prefix and near misses. */
const SHAPES: Record<string, (size: number) => string> = {
  letters: (n) => 'a'.repeat(n),
  upper: (n) => 'A'.repeat(n),
  base64ish: (n) => 'Ab1+'.repeat(n / 4),
  words: (n) => 'Kq8vT2mZ9xLw4bN7pR1s '.repeat(n / 21),
  prefixes: (n) => 'AKIAghp_glpat-xoxb-sk_live_SG.AIzanpm_'.repeat(n / 38),
  jwt: (n) => 'eyJhbGciOi.'.repeat(n / 11),
  pem: (n) => '-----BEGIN PRIVATE KEY-----\n'.repeat(n / 28),
  urls: (n) => 'postgres://u:p'.repeat(n / 14),
  userinfo: (n) => 'https://' + 'u'.repeat(n - 20) + ':',
  lines: (n) => 'password=\n'.repeat(n / 10),
  indent: (n) => ('-'.repeat(150) + '\n').repeat(n / 151),
  kubeconfig: (n) => 'users:\nclusters:\n' + ' token: \n'.repeat(n / 9),
  azure: (n) => 'AccountKey='.repeat(n / 11),
  json: (n) => '{"a":'.repeat(n / 5),
};

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

t.test('every detector stays linear on 1 MiB adversarial input (size-doubling ratio)', async (t) => {
  for (const [shape, build] of Object.entries(SHAPES)) {
    const small = build(MiB);
    const large = build(2 * MiB);
    for (const detector of allDetectors) {
      detector.detect(small.slice(0, 4096), 'password'); // warm up
      const a = time(() => detector.detect(small, 'password'));
      const b = time(() => detector.detect(large, 'password'));
      // Quadratic behaviour would give a ratio near 4 and seconds of work; allow noise on fast runs.
      t.ok(b < 250 || b / Math.max(a, 1) < 3.2, `${detector.id} on ${shape}: ${a.toFixed(1)} ms at 1 MiB, ${b.toFixed(1)} ms at 2 MiB`);
    }
  }
});

t.test('detectCredentials bounds work per value and reports throughput', async (t) => {
  const typicalSecret: [string, string][] = [
    ['username', 'app'],
    ['password', 'Pv8qLz2Wx9kR'],
    ['DATABASE_URL', 'postgres://app:Pv8qLz2Wx9kR@db:5432/app'],
    ['tls.key', RSA_KEY],
    ['token', GITHUB_CLASSIC],
  ];
  const rounds = 2000;
  const typicalMs = time(() => {
    for (let i = 0; i < rounds; i++) for (const [k, v] of typicalSecret) detectCredentials(k, v);
  });
  const adversarial = SHAPES['words']!(MiB);
  const advRounds = 20;
  const adversarialMs = time(() => {
    for (let i = 0; i < advRounds; i++) detectCredentials('config', adversarial);
  });
  let worst = 0;
  let worstShape = '';
  for (const [shape, build] of Object.entries(SHAPES)) {
    const value = build(MiB);
    const ms = time(() => detectCredentials('config', value));
    if (ms > worst) {
      worst = ms;
      worstShape = shape;
    }
  }
  const typicalRate = Math.round((rounds * typicalSecret.length) / (typicalMs / 1000));
  const advRate = Math.round(advRounds / (adversarialMs / 1000));
  t.comment(`detectCredentials: ${typicalRate} values/s on typical Secret values; ${advRate} values/s on a 1 MiB adversarial value (scan capped at 1 MiB); slowest 1 MiB shape ${worstShape} ${worst.toFixed(1)} ms`);
  t.pass('throughput measured (not asserted)');
});

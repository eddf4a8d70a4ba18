// Child process for the fault tests and bench/overload.ts, bench/soak.ts: `secretguard serve` through
// runServe (close-with-grace), printing its ports as one JSON line once listening. Not a test file.
// argv: cert key config|- state-path|kubeconfig:<file> grace-ms
import { runServe } from '../../src/cli/serve.js';

const [certFile, keyFile, config, state, grace] = process.argv.slice(2);
const view = (state ?? '').startsWith('kubeconfig:') ? { kubeconfig: (state ?? '').slice('kubeconfig:'.length) } : { clusterState: [state ?? ''] };
const server = await runServe(
  { tlsCert: certFile ?? '', tlsKey: keyFile ?? '', ...(config !== undefined && config !== '-' ? { config } : {}), port: 0, metricsPort: 0, host: '127.0.0.1', pollMs: 500, ...view },
  Number(grace ?? '5000'),
);
process.stdout.write(JSON.stringify({ port: server.port, metricsPort: server.metricsPort }) + '\n');

// Child process for shutdown.test.ts: `secretguard serve` through runServe (close-with-grace),
// printing its ports as one JSON line once listening. Not a test file.
import { runServe } from '../../src/cli/serve.js';

const [certFile, keyFile, statePath, grace] = process.argv.slice(2);
const server = await runServe(
  { tlsCert: certFile ?? '', tlsKey: keyFile ?? '', port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [statePath ?? ''] },
  Number(grace ?? '5000'),
);
process.stdout.write(JSON.stringify({ port: server.port, metricsPort: server.metricsPort }) + '\n');

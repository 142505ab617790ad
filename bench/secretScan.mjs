// Figure 8: what a warning pass over an open document costs: the secret detector (src/core/secretScan, the
// code the diagnostics run on every change) over a 1 MB file, a config file of short lines and a minified
// bundle of one long line, each holding a few secrets among ordinary content.
import { fromOut, median } from './lib/util.mjs';

const { findSecrets } = fromOut('src/core/secretScan/index');

const SECRET = 'Qb4pZ0cW7yR2sV9tL1mN6kJ3hG8fD5aXe2Uo4Iu7Yt1Rw9Eq';
const MB = 1_000_000;

/** ~1 MB of YAML-ish configuration (a secret every ~2,000 lines, placeholders and look-alikes in between). */
function configFile() {
  const lines = [];
  for (let i = 0; lines.join('\n').length < MB - 200 && i < 100_000; i++) {
    if (i % 2000 === 0) lines.push(`  appSecret: ${SECRET}`);
    else if (i % 97 === 0) lines.push('  appSecret: ${DINGTALK_APP_SECRET}');
    else lines.push(`  service_${i}_timeout_ms: ${i % 5000}  # retry budget for upstream ${i}`);
  }
  return lines.join('\n').slice(0, MB);
}

/** ~1 MB minified JavaScript on one line, secret-shaped keys read from variables, one literal secret. */
function minifiedBundle() {
  const chunk = 'function(e){return e.clientSecret||t.appSecret},n={appKey:e.appKey,clientSecret:e.clientSecret};';
  const half = chunk.repeat(Math.floor(MB / 2 / chunk.length));
  return `${half}var c={clientSecret:"${SECRET}"};${half}`;
}

function perPass(text, fileName, passes) {
  findSecrets(text, fileName); // warm-up
  const times = [];
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    const hits = findSecrets(text, fileName);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (hits.length === 0) throw new Error(`no secret found in ${fileName}`);
  }
  return median(times);
}

export async function secretScanFigure({ runs, passes }) {
  const config = configFile();
  const bundle = minifiedBundle();
  const configMs = [];
  const bundleMs = [];
  for (let run = 0; run < runs; run++) {
    configMs.push(perPass(config, 'application.yaml', passes));
    bundleMs.push(perPass(bundle, 'app.min.js', passes));
  }
  return {
    passes,
    configBytes: config.length,
    configLines: config.split('\n').length,
    configHits: findSecrets(config, 'application.yaml').length,
    bundleBytes: bundle.length,
    configMs: median(configMs),
    bundleMs: median(bundleMs),
    runs: { configMs, bundleMs },
  };
}

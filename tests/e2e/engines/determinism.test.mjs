// Cross-engine determinism: ONE fixed link, trained to the end and measured in Chromium, Firefox
// and WebKit, and run by the native CLI (`sgn-lab run --url LINK --out DIR`): the report JSON the
// page downloads ("Download report (JSON)") is byte-identical in all three engines and to the
// CLI's report.json. Every number in it (weights' history, losses, tail fits, Gaussianity tests,
// eigenvalues, spectrum fit, verdict text) comes from the same Rust code: in the page as
// wasm32 + simd128 in a Web Worker, natively as x86-64 (docs/PROTOCOL.md §5.2 says how that is
// made bit-exact).
//
// The link: 8×8 digits, FCN 64→100→100→10, batch 64, 2 epochs (46 steps), the paper's tail rule,
// M = 50 draws, spectrum from N_cov = 250 per-sample gradients — small, so each engine takes
// seconds, and it still goes through every kind of number the report holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveDist, ROOT, RESULTS } from '../harness.mjs';
import { openTab } from './driver.mjs';

/** The fixed link's state (`sgn-lab url --config` of the configuration above; the page writes the same). */
export const LINK = 'v1.eyJhbmFseXNpcyI6eyJkcmF3cyI6NTAsIm5fY292IjoyNTB9LCJkYXRhIjp7ImRhdGFzZXQiOnsia2luZCI6ImRpZ2l0czh4OCJ9fSwic2VlZCI6MTcsInRyYWluaW5nIjp7ImJhdGNoX3NpemUiOjY0LCJlcG9jaHMiOjJ9fQ';

let server;
before(async () => { server = await serveDist(); });
after(async () => { await server.close(); });

/** The CLI's report.json for the link (built by `cargo test`, rebuilt if needed). */
function cliReport(link) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sgn-lab-cli-'));
  try {
    execFileSync('cargo', ['run', '--quiet', '--bin', 'sgn-lab', '--', 'run', '--url', link, '--out', out],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    return fs.readFileSync(path.join(out, 'report.json'), 'utf8');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/** Loads the link in a fresh browser of `engine`, trains to the end, measures, downloads the report. */
async function pageReport(engine) {
  const tab = await openTab(engine, { origin: server.origin });
  try {
    await tab.goto(`${server.base}#${LINK}`);
    await tab.until(() => !document.querySelector('[data-testid="play"]').disabled, null, { what: 'the run to be ready' });
    assert.equal(await tab.run(() => location.hash.slice(1)), LINK, `${engine}: the page writes back the same link`);
    await tab.click('play');
    await tab.until(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000, what: 'training to finish' });
    await tab.click('measure');
    await tab.until(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
      || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 180_000, what: 'the measurement' });
    assert.match(await tab.text('status'), /^Measured/, engine);
    const { name, text } = await tab.download('report-json');
    assert.equal(name, 'sgn-lab-report-seed17.json');
    assert.deepEqual(await tab.errors(), [], `${engine}: console errors`);
    return text;
  } finally {
    await tab.close();
  }
}

/** The first place two JSON texts differ, as a path and both values (for a readable failure). */
function firstDifference(a, b, at = '$') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (a && typeof a === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

test('one link: byte-identical report JSON in Chromium, Firefox, WebKit and the native CLI', { timeout: 900_000 }, async () => {
  const reports = { cli: cliReport(`${server.base}#${LINK}`) };
  for (const engine of ['chromium', 'firefox', 'webkit']) reports[engine] = await pageReport(engine);
  fs.mkdirSync(RESULTS, { recursive: true });
  for (const [who, text] of Object.entries(reports)) fs.writeFileSync(path.join(RESULTS, `determinism-${who}.json`), text);
  const cli = JSON.parse(reports.cli);
  assert.equal(cli.seed, 17);
  assert.equal(cli.arms[0].history.length > 0 || cli.arms[0].history.step?.length > 0, true, 'a training history');
  assert.ok(cli.arms[0].measurements[0].structure.spectrum, 'the spectrum was measured');
  for (const engine of ['chromium', 'firefox', 'webkit']) {
    if (reports[engine] !== reports.cli) {
      assert.fail(`${engine}'s report differs from the CLI's (test-results/determinism-*.json): `
        + `${firstDifference(JSON.parse(reports[engine]), cli) || 'same values, different bytes'}`);
    }
  }
});

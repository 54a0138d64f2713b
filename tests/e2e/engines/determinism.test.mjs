// Cross-engine determinism: fixed links, trained to the end and measured in Chromium, Firefox
// and WebKit, and run by the native CLI (`sgn-lab run --url LINK --out DIR`); the report JSON the
// page downloads ("Download report (JSON)") is compared byte for byte. Every number in it
// (the training history, test evaluations, tail fits, likelihood ratios, Gaussianity tests,
// eigenvalues, spectrum fits, verdict text) comes from the same Rust code: in the page as
// wasm32 + simd128 in a Web Worker, natively as x86-64.
//
//   TAILS (no spectrum) and SPECTRUM (N_cov = 250): byte-identical in all four — the three engines
//     and the CLI. The spectrum's numbers (eigenvalues, fit, baseline, theory views) come from the
//     engine's fixed-order Gram product and the hand-written fixed-order eigensolver, the same
//     bits with AVX2/AVX-512 and rayon threads natively and with simd128 in wasm (docs/PROTOCOL.md §5.2).
// Both links: 8×8 digits, FCN 64→100→100→10, batch 64, 2 epochs (44 steps), the paper's tail
// rule, M = 50 draws — small, so each engine takes seconds.
//   BOOTSTRAP: the same run under Clauset's rule, M = 1000, with the examples' 1000-replicate
//     bootstrap: counted on the page's worker pool in every engine, on rayon natively.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serveDist, ROOT, RESULTS } from '../harness.mjs';
import { openTab } from './driver.mjs';

/** The fixed links' states (`sgn-lab url --config` of the configurations above; the page writes the same). */
export const TAILS = 'v1.eyJhbmFseXNpcyI6eyJkcmF3cyI6NTAsIm5fY292IjowfSwiZGF0YSI6eyJkYXRhc2V0Ijp7ImtpbmQiOiJkaWdpdHM4eDgifX0sInNlZWQiOjE3LCJ0cmFpbmluZyI6eyJiYXRjaF9zaXplIjo2NCwiZXBvY2hzIjoyfX0';
export const SPECTRUM = 'v1.eyJhbmFseXNpcyI6eyJkcmF3cyI6NTAsIm5fY292IjoyNTB9LCJkYXRhIjp7ImRhdGFzZXQiOnsia2luZCI6ImRpZ2l0czh4OCJ9fSwic2VlZCI6MTcsInRyYWluaW5nIjp7ImJhdGNoX3NpemUiOjY0LCJlcG9jaHMiOjJ9fQ';
/** TAILS under Clauset's rule with M = 1000 draws and a 1000-replicate bootstrap of the examples: the CLI runs
 * the bootstrap on rayon, the page on its worker pool (docs/ARCHITECTURE.md, "Bootstrap on the pool"). */
export const BOOTSTRAP = 'v1.eyJhbmFseXNpcyI6eyJib290c3RyYXAiOjEwMDAsImRyYXdzIjoxMDAwLCJuX2NvdiI6MCwicnVsZSI6ImNsYXVzZXQifSwiZGF0YSI6eyJkYXRhc2V0Ijp7ImtpbmQiOiJkaWdpdHM4eDgifX0sInNlZWQiOjE3LCJ0cmFpbmluZyI6eyJiYXRjaF9zaXplIjo2NCwiZXBvY2hzIjoyfX0';
const LINKS = { tails: TAILS, spectrum: SPECTRUM, bootstrap: BOOTSTRAP };
const ENGINES = ['chromium', 'firefox', 'webkit'];

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

/** Loads each link in one fresh browser of `engine`, trains to the end, measures, downloads the report. */
async function pageReports(engine) {
  const tab = await openTab(engine, { origin: server.origin });
  const out = {};
  try {
    for (const [name, link] of Object.entries(LINKS)) {
      await tab.goto('about:blank');
      await tab.goto(`${server.base}#${link}`);
      await tab.until(() => !document.querySelector('[data-testid="play"]').disabled
        && /^Ready/.test(document.querySelector('[data-testid="status"]').textContent), null, { what: 'the run to be ready' });
      assert.equal(await tab.run(() => location.hash.slice(1)), link, `${engine}: the page writes back the same link`);
      await tab.click('play');
      await tab.until(() => /^Finished/.test(document.querySelector('[data-testid="status"]').textContent), null, { timeout: 120_000, what: 'training to finish' });
      await tab.click('measure');
      await tab.until(() => /^Measured/.test(document.querySelector('[data-testid="status"]').textContent)
        || document.querySelector('[data-testid="status"]').classList.contains('bad'), null, { timeout: 180_000, what: 'the measurement' });
      assert.match(await tab.text('status'), /^Measured/, engine);
      if (name === 'bootstrap') {
        const pool = await tab.run(() => ({ cores: navigator.hardwareConcurrency, last: window.sgnLab.bootstrapPool.last() }));
        if (pool.cores >= 2) assert.ok(pool.last && pool.last.workers >= 2, `${engine}: the bootstrap ran on the pool (${JSON.stringify(pool)})`);
      }
      const { name: file, text } = await tab.download('report-json');
      assert.equal(file, 'sgn-lab-report-seed17.json');
      out[name] = text;
    }
    if (engine === 'chromium') {
      // The capture reads the Blob the page hands to its download link; Chromium's real download
      // of the same button has the same bytes.
      await tab.run(() => { window.__e2e.capture = false; });
      const [dl] = await Promise.all([tab.page.waitForEvent('download'), tab.click('report-json')]);
      const last = Object.keys(LINKS).at(-1);
      assert.equal(fs.readFileSync(await dl.path(), 'utf8'), out[last], 'the real download has the captured bytes');
    }
    assert.deepEqual(await tab.errors(), [], `${engine}: console errors`);
    return out;
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

test('fixed links: byte-identical report JSON in Chromium, Firefox and WebKit, and with the native CLI', { timeout: 900_000 }, async () => {
  const reports = {};
  for (const [name, link] of Object.entries(LINKS)) reports[name] = { cli: cliReport(`${server.base}#${link}`) };
  for (const engine of ENGINES) {
    const r = await pageReports(engine);
    for (const name of Object.keys(LINKS)) reports[name][engine] = r[name];
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  for (const [name, by] of Object.entries(reports)) {
    for (const [who, text] of Object.entries(by)) fs.writeFileSync(path.join(RESULTS, `determinism-${name}-${who}.json`), text);
  }
  const tails = JSON.parse(reports.tails.cli);
  const spectrum = JSON.parse(reports.spectrum.cli);
  assert.equal(tails.seed, 17);
  assert.equal(tails.arms[0].measurements[0].structure.step, 44, 'trained to the end: 2 epochs of 22 steps');
  assert.equal(tails.arms[0].evals.length, 3, 'test evaluations at θ₀ and after each epoch');
  assert.equal(tails.arms[0].measurements[0].structure.spectrum, null, 'no spectrum in the TAILS link');
  assert.ok(spectrum.arms[0].measurements[0].structure.spectrum.report.eigenvalues.length >= 200, 'the SPECTRUM link measured one');
  const bootstrap = JSON.parse(reports.bootstrap.cli);
  const example = bootstrap.arms[0].measurements[0].structure.iteration_sgn.power_law;
  assert.equal(example.rule, 'clauset');
  assert.equal(example.bootstrap, 1000, 'the BOOTSTRAP link bootstrapped the example, every replicate re-fitted');
  assert.ok(example.p_value >= 0 && example.p_value <= 1, `a p-value (${example.p_value})`);
  for (const engine of ENGINES) {
    for (const [name, cli] of [['tails', tails], ['spectrum', spectrum], ['bootstrap', bootstrap]]) {
      assert.ok(reports[name][engine] === reports[name].cli,
        `${engine}'s ${name.toUpperCase()} report differs from the CLI's (test-results/determinism-${name}-*.json): ${firstDifference(JSON.parse(reports[name][engine]), cli) || 'same values, other bytes'}`);
    }
  }
});

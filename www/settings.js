// The lab's state is one experiment configuration (`ExperimentConfig`) plus how the page is shown
// (`Flags`: embed, hidden parts, tour step). Both travel in the URL hash, read and written by the
// engine's own link codec (src/experiment/url.rs `Link`, through src/web/state.rs), so a link run
// in the page and by `sgn-lab run --url` gives the same numbers. The menus are the engine's
// control table (src/experiment/controls.rs): this file only builds them and hands choices back.
import { lab_default_config, read_link, write_link, controls, control_values, apply_control } from '../pkg/sgn_lab.js';

/** The menus: `[{key, label, group, when, options: [[value, text], …]}]`. */
export const CONTROLS = controls();




/** The page's starting configuration (`ExperimentConfig::lab_default`). */
export function defaultConfig() {
  return lab_default_config();
}

/** Reads a hash: `{config, seeded, flags: {embed, hide, tour}, error}` (src/web/state.rs). */
export function readHash(hash) {
  return read_link(hash);
}

/** The hash of a configuration and presentation flags. */
export function writeHash(config, flags = {}) {
  return write_link(config, { embed: false, hide: [], tour: null, ...flags });
}

/** What every menu shows for `config`: `{key: {kind, value}}`. */
export function controlValues(config) {
  return control_values(config);
}

/** `config` with option `value` of menu `key`. */
export function applyControl(config, key, value) {
  return apply_control(config, key, value);
}

/** The element id of a menu (the measurement menus keep their historical ids). */
export function controlId(c) {
  return c.when === 'measurement' ? c.key : `set-${c.key}`; // set-replicates for the tour's
}

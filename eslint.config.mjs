// The JS linter of `make test` (scripts/test.sh): ESLint's recommended rules over the page (www/, browser
// globals; www/ workers also have worker globals), the end-to-end tests and benches (Node, and the browser for
// what they run in the page), the TensorFlow.js bench's page script (browser, tfjs' `tf` global), and the build.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/**', 'pkg/**', 'node_modules/**', 'target/**', 'test-results/**', 'fuzz/**', '**/.venv/**', 'bench/results/**'] },
  js.configs.recommended,
  {
    files: ['www/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['webpack.config.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    // Node programs that also pass functions to run inside the page (page.evaluate): both sets of globals.
    files: ['tests/**/*.mjs', 'bench/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  {
    // bench/tfjs/bench.js: a module of the page bench/tfjs/tfjs-bench.mjs serves, after tf.min.js's <script> tag.
    files: ['bench/tfjs/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser, tf: 'readonly' } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
];

// Bundles the page: www/ (JS, CSS) + pkg/ (wasm-bindgen output) + assets/ (datasets) → dist/.
// Relative URLs throughout (publicPath 'auto'), so dist/ works from any static host and sub-path.
const path = require('path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyPlugin = require('copy-webpack-plugin');
const crypto = require('crypto');
const fs = require('fs');
/** The security headers (CSP first): sent by `make serve` and the e2e server on every response,
 * and the CSP also as a <meta> in the page for static hosts that send no headers. */
const HEADERS = require('./scripts/security-headers.json');

/**
 * Emits sw.js from www/sw.js with the precache list and cache version filled in at build time:
 * every emitted file (page, hashed JS chunks, wasm, CSS, datasets) except source maps and the
 * service worker itself, and a version = SHA-256 (first 16 hex digits) of their names and
 * contents, so a deploy that changes any byte gets a new cache and the old one is deleted.
 */
class PrecachePlugin {
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('PrecachePlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'PrecachePlugin', stage: Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE }, (assets) => {
        const files = Object.keys(assets).filter((f) => !f.endsWith('.map') && f !== 'sw.js').sort();
        const hash = crypto.createHash('sha256');
        for (const f of files) { hash.update(f); hash.update('\0'); hash.update(assets[f].buffer()); }
        const version = hash.digest('hex').slice(0, 16);
        const template = fs.readFileSync(path.resolve(__dirname, 'www/sw.js'), 'utf8');
        const text = template
          .replace("'__PRECACHE_VERSION__'", JSON.stringify(version))
          .replace("['__PRECACHE_FILES__']", JSON.stringify(['./', ...files]));
        if (text === template) throw new Error('www/sw.js lacks the precache placeholders');
        compilation.emitAsset('sw.js', new sources.RawSource(text));
      });
    });
    compiler.hooks.thisCompilation.tap('PrecachePluginWatch', (compilation) => {
      compilation.fileDependencies.add(path.resolve(__dirname, 'www/sw.js'));
    });
  }
}

module.exports = (env, argv) => ({
  entry: { app: './www/bootstrap.js' },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].[contenthash:8].js',
    chunkFilename: '[name].[contenthash:8].js',
    webassemblyModuleFilename: 'sgn_lab.[hash:8].wasm',
    publicPath: 'auto',
    clean: true,
  },
  experiments: { asyncWebAssembly: true },
  // No eval-based source maps: the page's Content-Security-Policy forbids eval.
  devtool: argv.mode === 'production' ? false : 'source-map',
  performance: { hints: false },
  plugins: [
    new HtmlWebpackPlugin({ template: 'index.html', scriptLoading: 'defer', inject: 'head',
      meta: { csp: { 'http-equiv': 'Content-Security-Policy', content: HEADERS['Content-Security-Policy'] } } }),
    new CopyPlugin({ patterns: [
      { from: 'assets/*.gz', to: 'assets/[name][ext]' },
      { from: 'assets/*.csv', to: 'assets/[name][ext]' },
      { from: 'www/style.css', to: 'style.css' },
      // The embeds' posters (src/experiment/embed.rs; made by scripts/embed-posters.mjs).
      { from: 'www/posters/*.png', to: 'posters/[name][ext]', noErrorOnMissing: true },
      // "Your own gradients": the dump recipes and their documentation, linked from the upload view.
      { from: 'recipes/*.py', to: 'recipes/[name][ext]' },
      { from: 'docs/YOUR-GRADIENTS.md', to: 'recipes/YOUR-GRADIENTS.md' },
    ] }),
    new PrecachePlugin(),
  ],
  devServer: {
    host: '127.0.0.1',
    port: Number(process.env.PORT || 8080),
    static: false,
    hot: false,
    liveReload: false,
    client: false,
    compress: true,
    headers: HEADERS,
  },
});

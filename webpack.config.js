// Bundles the page: www/ (JS, CSS) + pkg/ (wasm-bindgen output) + assets/ (datasets) → dist/.
// Relative URLs throughout (publicPath 'auto'), so dist/ works from any static host and sub-path.
const path = require('path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyPlugin = require('copy-webpack-plugin');

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
    new HtmlWebpackPlugin({ template: 'index.html', scriptLoading: 'defer', inject: 'head' }),
    new CopyPlugin({ patterns: [
      { from: 'assets/*.gz', to: 'assets/[name][ext]' },
      { from: 'assets/*.csv', to: 'assets/[name][ext]' },
      { from: 'www/style.css', to: 'style.css' },
      { from: 'www/sw.js', to: 'sw.js' },
    ] }),
  ],
  devServer: {
    host: '127.0.0.1',
    port: Number(process.env.PORT || 8080),
    static: false,
    hot: false,
    liveReload: false,
    client: false,
    compress: true,
  },
});

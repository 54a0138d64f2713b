// Exports: each chart as PNG, the data behind it as CSV, a whole report as JSON. Files are made
// in the page (Blob + object URL); nothing is sent anywhere.

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Adds "PNG" and "CSV" buttons under the chart `canvas` (once); `csv()` gives the CSV text (made
 * by the engine: `chart_csv`, `sample_csv`, `TrainingChart.csv`) and `baseName` (a string, or a
 * function for a name that changes) the file name. */
export function addChartExports(canvas, baseName, csv) {
  const name = () => (typeof baseName === 'function' ? baseName() : baseName);
  const figure = canvas.closest('figure');
  if (!figure || figure.querySelector('.exports')) return;
  const bar = document.createElement('div');
  bar.className = 'exports';
  const png = document.createElement('button');
  png.type = 'button';
  png.textContent = 'PNG';
  png.dataset.testid = `png-${canvas.dataset.testid}`;
  png.addEventListener('click', () => canvas.toBlob((b) => b && download(`${name()}.png`, b), 'image/png'));
  const csvButton = document.createElement('button');
  csvButton.type = 'button';
  csvButton.textContent = 'CSV';
  csvButton.dataset.testid = `csv-${canvas.dataset.testid}`;
  csvButton.addEventListener('click', () => download(`${name()}.csv`, new Blob([csv()], { type: 'text/csv' })));
  bar.append(png, csvButton);
  figure.append(bar);
}

/** A button that downloads `json()` as a file; `name` is a string or a function giving one. */
export function jsonButton(button, name, json) {
  button.addEventListener('click', () => download(typeof name === 'function' ? name() : name, new Blob([json()], { type: 'application/json' })));
}

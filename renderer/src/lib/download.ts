/**
 * Saving what the user sees: a canvas as PNG and tables as CSV files (the
 * text itself comes from csv.ts).
 */
export { pointsCsv, toCsv, type CsvCell } from './csv.js';
function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Resolves once the file is handed to the browser; rejects when PNG encoding fails. */
export function saveCanvasPng(canvas: HTMLCanvasElement, filename: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error('The picture could not be encoded as PNG.'));
        return;
      }
      downloadBlob(blob, filename);
      resolve();
    }, 'image/png');
  });
}

export function downloadCsv(text: string, filename: string): void {
  downloadBlob(new Blob([text], { type: 'text/csv' }), filename);
}

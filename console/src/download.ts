/** Saves a file the API answered (an export, a template) under the name its Content-Disposition gives, else `fallback`. */
export function saveFile(blob: Blob, response: Response, fallback: string): void {
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get('Content-Disposition') ?? '')?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = encoded ? decodeURIComponent(encoded) : fallback;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

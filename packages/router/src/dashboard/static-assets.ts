import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The page's files: `public/dashboard` of the package, the same path from `src/` and from `dist/`. */
const PUBLIC_DIR = fileURLToPath(new URL('../../public/dashboard/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
  'dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
};

/** One file of the page, ready to send. */
export interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Serves the page's HTML, CSS and script (plain files, no build step), read once and kept in memory.
 * The HTML gets the base path and title filled in, so the page works wherever the router mounts it.
 */
export class StaticAssets {
  private readonly cache = new Map<string, Promise<Asset>>();

  constructor(private readonly fill: { basePath: string; title: string }) {}

  /** Whether `name` (the path below the base, without a leading slash) is one of the page's files. */
  has(name: string): boolean {
    return Object.hasOwn(FILES, name);
  }

  /** The file `name`; {@link has} must be true. */
  get(name: string): Promise<Asset> {
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.load(name);
      pending.catch(() => this.cache.delete(name)); // try the disk again next time
      this.cache.set(name, pending);
    }
    return pending;
  }

  private async load(name: string): Promise<Asset> {
    const { file, type } = FILES[name]!;
    let body = await readFile(PUBLIC_DIR + file);
    if (file === 'index.html') {
      const html = body
        .toString('utf8')
        .replaceAll('{{base}}', escapeHtml(this.fill.basePath))
        .replaceAll('{{title}}', escapeHtml(this.fill.title));
      body = Buffer.from(html, 'utf8');
    }
    return { body, type };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

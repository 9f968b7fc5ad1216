// Which PACS endpoints this deployment allows (public/config.json). A URL parameter (?pacs=id) or the
// settings dialog choose among them; nothing can add an endpoint.
export interface PacsEndpoint {
  id: string;
  name: string;
  url: string;
}
export interface AppConfig {
  pacs: PacsEndpoint[];
  defaultPacs?: string;
}

const STORAGE_KEY = 'psma-dose-preview.pacs';

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch(new URL('config.json', document.baseURI));
  if (!res.ok) throw new Error(`config.json could not be loaded (HTTP ${res.status})`);
  const cfg = (await res.json()) as AppConfig;
  if (!Array.isArray(cfg.pacs)) throw new Error('config.json: "pacs" must be a list of {id, name, url}');
  return cfg;
}

/** The endpoint to use: URL parameter, else the remembered choice, else the deployment default. */
export function chooseEndpoint(cfg: AppConfig, search = location.search): { endpoint?: PacsEndpoint; warning?: string } {
  const asked = new URLSearchParams(search).get('pacs');
  if (asked) {
    const hit = cfg.pacs.find((p) => p.id === asked);
    if (hit) {
      rememberEndpoint(hit.id);
      return { endpoint: hit };
    }
    return { endpoint: fallback(cfg), warning: `PACS "${asked}" is not configured for this deployment; links can only choose listed endpoints.` };
  }
  return { endpoint: fallback(cfg) };
}

function fallback(cfg: AppConfig): PacsEndpoint | undefined {
  const remembered = localStorage.getItem(STORAGE_KEY);
  return cfg.pacs.find((p) => p.id === remembered) ?? cfg.pacs.find((p) => p.id === cfg.defaultPacs) ?? cfg.pacs[0];
}

export function rememberEndpoint(id: string): void {
  localStorage.setItem(STORAGE_KEY, id);
}

/** Absolute DICOMweb root for an endpoint (same-origin paths resolve against the page). */
export function endpointUrl(p: PacsEndpoint): string {
  return new URL(p.url, document.baseURI).href.replace(/\/$/, '');
}

// Test and bench harness: a real Debian Orthanc (with the DICOMweb plugin) on a free loopback port, a temp storage
// dir, and STOW-RS upload. Only loopback traffic.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './preview';

export const ORTHANC_BIN = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancInfo {
  configPath: string;
  port: number;
  url: string;
  dir: string;
}

export async function writeOrthancConfig(dir: string): Promise<OrthancInfo> {
  for (const p of [ORTHANC_BIN, DICOMWEB_PLUGIN]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: install Debian's orthanc and orthanc-dicomweb (apt-get install -y orthanc orthanc-dicomweb)`);
  }
  const port = await freePort();
  mkdirSync(join(dir, 'db'), { recursive: true });
  const config = {
    Name: 'psma-e2e',
    HttpPort: port,
    HttpBindAddress: '127.0.0.1',
    DicomServerEnabled: false,
    DicomPort: await freePort(),
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Host: '', Ssl: false },
  };
  const configPath = join(dir, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return { configPath, port, url: `http://127.0.0.1:${port}`, dir };
}

export async function startOrthanc(info: OrthancInfo): Promise<ChildProcess> {
  const proc = spawn(ORTHANC_BIN, [info.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  writeFileSync(join(info.dir, 'orthanc.pid'), String(proc.pid));
  const t0 = Date.now();
  while (Date.now() - t0 < 30000) {
    if (proc.exitCode !== null) throw new Error(`Orthanc exited (${proc.exitCode}): ${log}`);
    try {
      const r = await fetch(`${info.url}/dicom-web/studies`);
      if (r.ok) return proc;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error(`Orthanc did not start within 30 s: ${log}`);
}

/** STOW-RS upload of Part-10 files (multipart/related; type="application/dicom"). */
export async function stow(url: string, files: ArrayBuffer[]): Promise<void> {
  const boundary = `psma-${Date.now().toString(16)}`;
  const enc = new TextEncoder();
  for (let start = 0; start < files.length; start += 100) {
    const parts: Uint8Array[] = [];
    for (const f of files.slice(start, start + 100)) {
      parts.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), new Uint8Array(f), enc.encode('\r\n'));
    }
    parts.push(enc.encode(`--${boundary}--\r\n`));
    const res = await fetch(`${url}/dicom-web/studies`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
      body: Buffer.concat(parts),
    });
    if (!res.ok) throw new Error(`STOW-RS failed: HTTP ${res.status} ${await res.text()}`);
  }
}

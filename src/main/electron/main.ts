// The Electron entry: one window over the same composition root as `ktrdr serve`.
import { app, BrowserWindow, dialog, ipcMain, Menu, screen } from 'electron';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, type App } from '../app';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { IPC_API_CHANNEL, type ApiRequest } from '../../shared/transport';
import { handleIpcRequest } from './ipc';
import { UtilityProcessJobHost } from './utility-job-host';

const VIEWS = ['operations', 'data', 'strategies', 'models', 'training', 'backtests', 'experiments'] as const;
let server: App | null = null;

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as WindowState;
    const visible = screen.getAllDisplays().some((d) => s.x === undefined || (s.x >= d.bounds.x - 50 && s.x < d.bounds.x + d.bounds.width));
    if (visible && s.width > 400 && s.height > 300) return s;
  } catch {
    // first start
  }
  return { width: 1400, height: 900 };
}

async function boot(): Promise<void> {
  const config = loadConfig(process.env, process.env.KTRDR_HOME ? {} : { home: join(app.getPath('userData'), 'ktrdr') });
  const log = createLogger(config.logLevel);
  server = await createApp({ config, log, embeddedJobHost: () => new UtilityProcessJobHost({ path: join(__dirname, 'worker.js'), execArgv: [] }) });
  try {
    await server.listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      dialog.showErrorBox('KTRDR Workstation', `Port ${config.port} is already in use, so the local API (used by the CLI and scripts) is off. ` + `Set KTRDR_API_PORT to a free port and restart. The app itself still works.`);
    } else throw err;
  }
  ipcMain.handle(IPC_API_CHANNEL, (_e, req: ApiRequest) => handleIpcRequest(server!.api, req));

  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile);
  const win = new BrowserWindow({
    ...state,
    title: 'KTRDR Workstation',
    show: false,
    webPreferences: { preload: join(__dirname, '..', 'preload', 'index.js'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  win.once('ready-to-show', () => win.show());
  win.on('close', () => writeFileSync(stateFile, JSON.stringify(win.getBounds())));
  const menu = Menu.buildFromTemplate([
    { role: 'appMenu' as const },
    { role: 'fileMenu' as const },
    { role: 'editMenu' as const },
    {
      label: 'View',
      submenu: [
        ...VIEWS.map((v, i) => ({ label: v[0].toUpperCase() + v.slice(1), accelerator: `CmdOrCtrl+${i + 1}`, click: () => win.webContents.send('ktrdr:navigate', v) })),
        { type: 'separator' as const },
        { role: 'reload' as const },
        { role: 'toggleDevTools' as const },
        { role: 'togglefullscreen' as const },
      ],
    },
  ].filter((m) => process.platform === 'darwin' || m.role !== 'appMenu'));
  Menu.setApplicationMenu(menu);
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) await win.loadURL(devUrl);
  else {
    const index = join(__dirname, '..', 'renderer', 'index.html');
    if (!existsSync(index)) throw new Error(`Renderer not built: ${index}`);
    await win.loadFile(index);
  }
  if (process.env.KTRDR_SMOKE_TEST === '1') {
    // Launch test: prove the window rendered, then quit.
    const title = await win.webContents.executeJavaScript('document.title');
    process.stdout.write(`KTRDR_SMOKE_OK ${title}\n`);
    app.quit();
  }
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', (e) => {
  if (server) {
    e.preventDefault();
    const s = server;
    server = null;
    void s.close().finally(() => app.exit(0));
  }
});
app.whenReady().then(boot).catch((err) => {
  dialog.showErrorBox('KTRDR Workstation failed to start', String((err as Error).message ?? err));
  app.exit(1);
});

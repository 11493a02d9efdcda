// The slice of Electron's API this project uses, for type-checking where the `electron` package is
// absent (it is an optional dependency: npm drops it when its binary cannot be downloaded, as on
// CI). Where Electron is installed, tsconfig's `paths` resolves its real typings first.
declare global {
  namespace Electron {
  interface Event {
    preventDefault(): void;
  }
  interface Rectangle {
    x: number;
    y: number;
    width: number;
    height: number;
  }
  interface Display {
    bounds: Rectangle;
  }
  interface IpcMainInvokeEvent extends Event {
    sender: unknown;
  }
  interface IpcRendererEvent extends Event {
    sender: unknown;
  }
  interface WebContents {
    send(channel: string, ...args: unknown[]): void;
    executeJavaScript(code: string): Promise<any>;
  }
  interface BrowserWindowConstructorOptions {
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    title?: string;
    show?: boolean;
    webPreferences?: { preload?: string; contextIsolation?: boolean; sandbox?: boolean; nodeIntegration?: boolean };
  }
  interface MenuItemConstructorOptions {
    label?: string;
    role?: string;
    type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
    accelerator?: string;
    click?: () => void;
    submenu?: MenuItemConstructorOptions[];
  }
  interface UtilityProcess {
    readonly pid: number | undefined;
    postMessage(message: unknown): void;
    kill(): boolean;
    on(event: 'spawn', listener: () => void): this;
    on(event: 'message', listener: (message: any) => void): this;
    on(event: 'exit', listener: (code: number) => void): this;
  }
}
}

  export declare const app: {
    getPath(name: 'userData' | 'home' | 'temp' | 'appData'): string;
    whenReady(): Promise<void>;
    on(event: 'window-all-closed', listener: () => void): void;
    on(event: 'will-quit', listener: (event: Electron.Event) => void): void;
    quit(): void;
    exit(code?: number): void;
  };
  export declare class BrowserWindow {
    constructor(options?: Electron.BrowserWindowConstructorOptions);
    webContents: Electron.WebContents;
    once(event: 'ready-to-show', listener: () => void): this;
    on(event: 'close', listener: (event: Electron.Event) => void): this;
    show(): void;
    getBounds(): Electron.Rectangle;
    loadURL(url: string): Promise<void>;
    loadFile(path: string): Promise<void>;
  }
  export declare const dialog: { showErrorBox(title: string, content: string): void };
  export declare const ipcMain: { handle(channel: string, listener: (event: Electron.IpcMainInvokeEvent, ...args: any[]) => unknown): void };
  export declare const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<any>;
    on(channel: string, listener: (event: Electron.IpcRendererEvent, ...args: any[]) => void): void;
  };
  export declare const contextBridge: { exposeInMainWorld(apiKey: string, api: unknown): void };
  export declare class Menu {
    static buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): Menu;
    static setApplicationMenu(menu: Menu | null): void;
  }
  export declare const screen: { getAllDisplays(): Electron.Display[] };
  export declare const utilityProcess: {
    fork(modulePath: string, args?: string[], options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }): Electron.UtilityProcess;
  };

import { contextBridge, ipcRenderer } from 'electron';
import { IPC_API_CHANNEL, type ApiRequest, type PreloadBridge } from '../shared/transport';

const bridge: PreloadBridge = {
  request: (req: ApiRequest) => ipcRenderer.invoke(IPC_API_CHANNEL, req),
  platform: process.platform,
  onNavigate: (listener) => {
    ipcRenderer.on('ktrdr:navigate', (_e, view: string) => listener(view));
  },
};

contextBridge.exposeInMainWorld('ktrdr', bridge);

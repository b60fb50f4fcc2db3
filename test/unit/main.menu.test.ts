/**
 * The native menu's contents (main/menu.ts menuTemplate): File with the
 * import and export actions and Quit, View with reload, developer tools, zoom
 * and full screen, Help with the GPU help, the documentation and About; on
 * macOS the app menu first and the Window menu, as the platform expects.
 * Each item calls its own action.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate, type MenuActions } from '../../main/menu.js';

function recorder() {
  const called: string[] = [];
  const actions: MenuActions = {
    importDataset: () => void called.push('importDataset'),
    importRun: () => void called.push('importRun'),
    exportRun: () => void called.push('exportRun'),
    showGpuHelp: () => void called.push('showGpuHelp'),
    openDocs: () => void called.push('openDocs'),
    showAbout: () => void called.push('showAbout'),
  };
  return { called, actions };
}

const items = (m: MenuItemConstructorOptions): MenuItemConstructorOptions[] => m.submenu as MenuItemConstructorOptions[];
const names = (m: MenuItemConstructorOptions): (string | undefined)[] => items(m).map((i) => i.label ?? i.role ?? i.type);
const click = (item: MenuItemConstructorOptions): void => (item.click as unknown as () => void)();

describe('the native menu', () => {
  it('has File, View and Help on Linux and Windows', () => {
    const { actions } = recorder();
    const [file, view, help, ...rest] = menuTemplate(actions, 'linux');
    expect(rest).toEqual([]);
    expect(file.label).toBe('File');
    expect(names(file)).toEqual(['Import Dataset…', 'Import Run…', 'Export Run…', 'separator', 'quit']);
    expect(view.label).toBe('View');
    expect(names(view)).toEqual(['reload', 'forceReload', 'toggleDevTools', 'separator', 'resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen']);
    expect(help.role).toBe('help');
    expect(names(help)).toEqual(['Using the GPU…', 'Method Reference (TorchCFM)', 'separator', 'About CFM Workbench']);
  });

  it('puts the app menu first and adds the Window menu on macOS', () => {
    const { actions } = recorder();
    const top = menuTemplate(actions, 'darwin');
    expect(top.map((m) => m.label ?? m.role)).toEqual(['CFM Workbench', 'File', 'View', 'windowMenu', 'help']);
    expect(names(top[0])).toEqual(['About CFM Workbench', 'separator', 'hide', 'hideOthers', 'unhide', 'separator', 'quit']);
    expect(names(top[1]).at(-1)).toBe('close');
    expect(names(top[4])).toEqual(['Using the GPU…', 'Method Reference (TorchCFM)']);
  });

  it('runs each item’s own action', () => {
    const { called, actions } = recorder();
    const [file, , help] = menuTemplate(actions, 'win32');
    for (const item of [...items(file), ...items(help)]) if (item.click) click(item);
    expect(called).toEqual(['importDataset', 'importRun', 'exportRun', 'showGpuHelp', 'openDocs', 'showAbout']);
  });

  it('gives the import and export actions keyboard shortcuts', () => {
    const [file] = menuTemplate(recorder().actions, 'linux');
    expect(items(file).filter((i) => i.accelerator).map((i) => [i.label, i.accelerator])).toEqual([
      ['Import Dataset…', 'CmdOrCtrl+O'],
      ['Export Run…', 'CmdOrCtrl+E'],
    ]);
  });
});

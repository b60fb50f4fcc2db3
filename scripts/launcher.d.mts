/** Types of launcher.mjs (npm start's launcher), for the tests that import it. */

export type Ui = 'serve' | 'electron';

export interface LaunchArgs {
  force: Ui | undefined;
  passThrough: string[];
  help: boolean;
}

export interface ElectronBinary {
  path: string;
  present: boolean;
}

export interface DownloadFailure {
  reason: string;
  /** ms since the epoch */
  at: number;
  /** the electron package's version the failure was for */
  version: string;
}

export interface UiFacts {
  force: Ui | undefined;
  platform: NodeJS.Platform | string;
  env: NodeJS.ProcessEnv;
  mainBuilt: boolean;
  binary: ElectronBinary;
  lastFailure: DownloadFailure | undefined;
  version: string;
  attempted: boolean;
  attemptError: string | undefined;
  now: number;
}

export type UiDecision =
  | { ui: 'electron'; binary: string }
  | { ui: 'serve'; why: string | undefined }
  | { ui: 'download' }
  | { ui: 'error'; message: string };

export type DownloadResult = { ok: true } | { ok: false; reason: string };

export declare class LaunchError extends Error {}

export declare const PROJECT_ROOT: string;
export declare const MAIN_ENTRY: string;
export declare const RETRY_AFTER_MS: number;
export declare const DEFAULT_DOWNLOAD_TIMEOUT_MS: number;
export declare const USAGE: string;

export declare function parseLaunchArgs(argv: readonly string[], env?: NodeJS.ProcessEnv): LaunchArgs;
export declare function missingDisplay(platform: NodeJS.Platform | string, env: NodeJS.ProcessEnv): string | undefined;
export declare function electronPlatformPath(platform: NodeJS.Platform | string): string;
export declare function electronBinary(o: { electronDir: string; platform?: NodeJS.Platform | string; env?: NodeJS.ProcessEnv }): ElectronBinary;
export declare function chooseUi(facts: UiFacts): UiDecision;
export declare function fallbackLine(why: string): string;
export declare function memoFile(root?: string): string;
export declare function readDownloadMemo(file: string): DownloadFailure | undefined;
export declare function writeDownloadMemo(file: string, failure: DownloadFailure): void;
export declare function clearDownloadMemo(file: string): void;
export declare function failureReason(output: string, code: number | null): string;
export declare function downloadElectron(o: {
  electronDir: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform | string;
}): Promise<DownloadResult>;
export declare function runChild(
  command: string,
  args: readonly string[],
  o?: { env?: NodeJS.ProcessEnv; cwd?: string; platform?: NodeJS.Platform | string },
): Promise<number>;
export declare function launch(o?: {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform | string;
  root?: string;
  stderr?: { write(text: string): unknown };
}): Promise<number>;

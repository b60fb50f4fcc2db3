/**
 * Trains one run to completion, cancellation or failure, writing as it goes:
 * metrics in batched transactions, a checkpoint every `checkpointEvery` steps,
 * on cancel and at the end. A run that has a checkpoint continues from it and,
 * on the same backend, logs exactly the losses an uninterrupted run would have.
 * A non-finite loss fails the run and keeps its last good checkpoint.
 *
 * Stopping: the caller's AbortSignal, or a cancel request in the database
 * (store.requestCancel, polled at each metrics flush, about every 500 ms), so
 * `cfm cancel` from another process stops any trainer. Either way the run
 * checkpoints, then ends 'cancelled'. Live views get progress (throttled) and,
 * every `snapshotEvery` steps, the sampling weights (EMA when kept) to draw from.
 */
import type { ProgressEvent } from '../contract.js';
import { CfmError } from '../errors.js';
import type { BackendInfo } from '../engine/backend.js';
import { Mlp } from '../engine/model/mlp.js';
import { makeCoupling } from '../engine/couplings/index.js';
import { METHOD_SPECS } from '../engine/paths/methods.js';
import { decodeCheckpoint, encodeCheckpoint } from '../engine/train/checkpoint.js';
import { parseRunConfig, type RunConfig } from '../engine/train/config.js';
import { coupledPairs, type PairSampler } from '../engine/train/pairs.js';
import { Trainer } from '../engine/train/trainer.js';
import type { MetricRow, RunRecord, RunStatus, Store } from '../store/interface.js';
import { reflowPairs } from './reflow.js';
import { runSamplers } from './samplers.js';

/** The contract's progress event, before the host tags it. */
export type RunProgress = Omit<ProgressEvent, 'type' | 'run'> & { runId: number };

export interface RunSummary {
  id: number;
  name: string;
  status: RunStatus;
  steps: number;
  totalSteps: number;
  /** Mean training loss over the last (up to) 100 steps. */
  loss: number | null;
  valLoss: number | null;
  seconds: number;
  backend: string;
  stepsPerSecond: number;
  error?: string;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  progressIntervalMs?: number;
  flushIntervalMs?: number;
  /** Called once the run is marked running (after any restore), with its first step. */
  onStart?: (step: number) => void;
  /**
   * Called every `snapshotEvery` steps and at the last step with the weights to
   * sample from (EMA when the run keeps it). The model is lent: do not keep or
   * dispose it. Must not touch the run's randomness (it cannot: the trainer's
   * Rng is private), so snapshots never change the losses.
   */
  onSnapshot?: (step: number, model: Mlp) => Promise<void> | void;
  /** Default defaultSnapshotEvery(steps); used only with onSnapshot. */
  snapshotEvery?: number;
  /** Statuses the run may be started from (default: any but running and completed); a worker passes ['queued']. */
  claimFrom?: readonly RunStatus[];
}

const STARTABLE: readonly RunStatus[] = ['queued', 'cancelled', 'interrupted', 'failed'];

/** About 50 snapshots a run, never more often than every 100 steps. */
export function defaultSnapshotEvery(totalSteps: number): number {
  return Math.max(100, Math.ceil(totalSteps / 50));
}

const LOSS_WINDOW = 100;
const LR_EVERY = 100;

/** Training pairs, and the pairs of the validation loss (an import's validation split, never its training rows). */
async function pairsFor(store: Store, config: RunConfig): Promise<{ train: PairSampler; validation: PairSampler }> {
  const { target, source } = runSamplers(store, config.dataset, config.source);
  if (config.method === 'rf') {
    const pool = await reflowPairs(store, config, source);
    return { train: pool, validation: pool };
  }
  const held = runSamplers(store, config.dataset, config.source, 'validation');
  const coupling = makeCoupling(METHOD_SPECS[config.method].coupling, { reg: 2 * config.sigma * config.sigma });
  return { train: coupledPairs(source, target, coupling), validation: coupledPairs(held.source, held.target, coupling) };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function executeRun(store: Store, runId: number, backend: BackendInfo, o: ExecuteOptions = {}): Promise<RunSummary> {
  const run = store.getRun(runId);
  if (run.status === 'completed') {
    throw new CfmError('conflict', `run ${run.id} (${run.name}) is already completed; start a new run to train more`, 'run');
  }
  const config = parseRunConfig(run.config);
  const snapshotEvery = o.snapshotEvery ?? defaultSnapshotEvery(config.steps);
  if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 1) {
    throw new CfmError('invalid_input', `snapshotEvery: ${snapshotEvery} is not a whole number >= 1`, 'snapshotEvery');
  }
  const startedAt = Date.now();
  // Claimed in one step, so two processes can never train the same run.
  const claimed = store.transitionRun(run.id, o.claimFrom ?? STARTABLE, {
    status: 'running',
    backend: backend.name,
    startedAt: run.startedAt ?? startedAt,
    finishedAt: null,
    error: null,
    pid: process.pid,
  });
  if (!claimed) {
    const now = store.getRun(run.id);
    throw new CfmError('conflict', `run ${run.id} is ${now.status}${now.pid ? ` (pid ${now.pid})` : ''}, so it was not started here`, 'run');
  }
  let trainer: Trainer;
  try {
    const pairs = await pairsFor(store, config);
    const saved = store.latestCheckpoint(run.id);
    trainer = saved
      ? Trainer.restore(config, pairs.train, decodeCheckpoint(saved.data), pairs.validation)
      : Trainer.create(config, pairs.train, pairs.validation);
  } catch (e) {
    store.updateRun(run.id, { status: 'failed', error: e instanceof Error ? e.message : String(e), pid: null, finishedAt: Date.now() });
    throw e;
  }
  // Rows logged after the checkpoint will be logged again, identically.
  store.deleteMetricsAfter(run.id, trainer.step);
  store.updateRun(run.id, { step: trainer.step });

  const priorSeconds = run.seconds;
  // A request made while the run waited to start is honoured at the first step.
  let cancelRequested = store.cancelRequested(run.id);
  const sessionStartStep = trainer.step;
  o.onStart?.(trainer.step);

  const pending: MetricRow[] = [];
  const recent: number[] = [];
  let lastFlush = Date.now();
  let lastProgress = 0;
  let valLoss: number | null = store.lastMetric(run.id, 'val_loss')?.value ?? null;

  const elapsed = () => (Date.now() - startedAt) / 1000;
  const rate = () => (trainer.step - sessionStartStep) / Math.max(elapsed(), 1e-9);
  const flush = () => {
    store.appendMetrics(run.id, pending.splice(0));
    store.updateRun(run.id, { step: trainer.step, seconds: priorSeconds + elapsed() });
    if (!cancelRequested) cancelRequested = store.cancelRequested(run.id);
    lastFlush = Date.now();
  };
  const saveCheckpoint = () => {
    flush();
    store.saveCheckpoint(run.id, trainer.step, encodeCheckpoint(trainer.checkpoint()));
  };
  const finish = (status: RunStatus, error: string | null): RunSummary => {
    flush();
    const updated: RunRecord = store.updateRun(run.id, { status, error, pid: null, finishedAt: Date.now(), seconds: priorSeconds + elapsed() });
    const loss = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : (store.lastMetric(run.id, 'loss')?.value ?? null);
    return {
      id: updated.id,
      name: updated.name,
      status,
      steps: updated.step,
      totalSteps: updated.totalSteps,
      loss,
      valLoss,
      seconds: updated.seconds,
      backend: backend.name,
      stepsPerSecond: rate(),
      ...(error ? { error } : {}),
    };
  };

  const snapshot = async (hook: NonNullable<ExecuteOptions['onSnapshot']>, step: number) => {
    const model = config.ema > 0 ? Mlp.fromWeights(trainer.model.config, trainer.samplingWeights()) : trainer.model;
    try {
      await hook(step, model);
    } finally {
      if (model !== trainer.model) model.dispose();
    }
  };

  try {
    while (trainer.step < config.steps) {
      if (o.signal?.aborted || cancelRequested) {
        saveCheckpoint();
        return finish('cancelled', null);
      }
      const r = trainer.stepOnce();
      const now = Date.now();
      recent.push(r.loss);
      if (recent.length > LOSS_WINDOW) recent.shift();
      pending.push({ step: r.step, wallTime: now, name: 'loss', value: r.loss });
      if (r.step === 1 || r.step % LR_EVERY === 0) pending.push({ step: r.step, wallTime: now, name: 'lr', value: r.lr });
      if (config.validateEvery > 0 && (r.step % config.validateEvery === 0 || r.step === config.steps)) {
        valLoss = trainer.validationLoss();
        pending.push({ step: r.step, wallTime: now, name: 'val_loss', value: valLoss });
      }
      if (r.step % config.checkpointEvery === 0 && r.step < config.steps) saveCheckpoint();
      else if (now - lastFlush >= (o.flushIntervalMs ?? 500)) flush();
      if (o.onProgress && (now - lastProgress >= (o.progressIntervalMs ?? 100) || r.step === config.steps)) {
        lastProgress = now;
        const sps = rate();
        o.onProgress({
          runId: run.id,
          step: r.step,
          totalSteps: config.steps,
          loss: r.loss,
          lr: r.lr,
          stepsPerSecond: sps,
          etaSeconds: sps > 0 ? (config.steps - r.step) / sps : Infinity,
          elapsedSeconds: priorSeconds + elapsed(),
        });
      }
      if (o.onSnapshot && (r.step % snapshotEvery === 0 || r.step === config.steps)) await snapshot(o.onSnapshot, r.step);
      await yieldToEventLoop();
    }
    saveCheckpoint();
    return finish('completed', null);
  } catch (e) {
    // The weights may already hold the bad update: keep the last good checkpoint, save nothing new.
    const message = e instanceof Error ? e.message : String(e);
    finish('failed', message);
    throw e;
  } finally {
    trainer.dispose();
  }
}

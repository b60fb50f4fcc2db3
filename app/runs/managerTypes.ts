/**
 * What the service asks of the run manager: a queue of training runs, each in
 * its own worker process, live events, and tfjs computations (sampling,
 * evaluation, field and density grids) run off the host process so that the
 * host (Electron main, `cfm serve`, the CLI) never blocks on numerics.
 */
import type {
  ApiParsed,
  DensityView,
  EvaluationResultView,
  SampleView,
  VectorFieldView,
  WorkbenchEvent,
} from '../contract.js';

export interface ComputeJobs {
  sample: { params: ApiParsed<'sampleRun'>; result: SampleView };
  evaluate: { params: ApiParsed<'evaluateRun'>; result: EvaluationResultView };
  vectorField: { params: ApiParsed<'vectorField'>; result: VectorFieldView };
  density: { params: ApiParsed<'densityGrid'>; result: DensityView };
  /** The backend a worker chose. */
  info: { params: Record<string, never>; result: { name: string; description: string } };
}

export type ComputeKind = keyof ComputeJobs;

export interface RunManager {
  /** Queues an existing run (status becomes 'queued'); it trains when a slot is free. */
  enqueue(runId: number): void;
  /** Queued: becomes cancelled at once. Running: the worker checkpoints, then the run is 'cancelled'. */
  cancel(runId: number): Promise<void>;
  /** Re-queues a cancelled, interrupted or failed run; it continues from its last checkpoint. */
  resume(runId: number): void;
  readonly concurrency: number;
  setConcurrency(n: number): void;
  /** Live progress, snapshot and status events of every run it hosts. Returns unsubscribe. */
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
  compute<K extends ComputeKind>(kind: K, params: ComputeJobs[K]['params']): Promise<ComputeJobs[K]['result']>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Cancels running runs (each checkpoints first), stops workers. */
  close(): Promise<void>;
}

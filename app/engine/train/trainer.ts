/**
 * One CFM training loop, with no I/O of its own: the caller decides when to
 * log, checkpoint or stop. A step draws pairs, t ~ U[0,1) and eps ~ N(0, I)
 * from the run's Rng, forms x_t and u_t on the CPU (paths/sample.ts), and
 * minimises mean((v_theta(t, x_t) - u_t)^2) over all elements, as TorchCFM does.
 *
 *   const trainer = Trainer.create(config, pairs);
 *   for (let k = 0; k < config.steps; k++) trainer.step();
 *   const ckpt = trainer.checkpoint();   // Trainer.restore(config, pairs, ckpt) continues exactly
 */
import { tf } from '../backend.js';
import { CfmError } from '../../errors.js';
import { Mlp, type MlpConfig } from '../model/mlp.js';
import { pathCoefficients } from '../paths/methods.js';
import type { PathCoefficients } from '../paths/coefficients.js';
import { samplePath } from '../paths/sample.js';
import { Rng } from '../rng.js';
import type { CheckpointData } from './checkpoint.js';
import type { RunConfig } from './config.js';
import { Ema } from './ema.js';
import { AdamOptimizer } from './optimizer.js';
import type { PairSampler } from './pairs.js';
import { learningRate } from './schedule.js';

const VALIDATION_SIZE = 1024;
/** The validation batch has its own stream, so resuming never changes it. */
const VALIDATION_SEED_OFFSET = 0x5eed;

export interface StepResult {
  step: number;
  loss: number;
  lr: number;
}

export function mlpConfigOf(config: RunConfig, dim: number): MlpConfig {
  return { dim, width: config.width, depth: config.depth, activation: config.activation, timeFrequencies: config.timeFrequencies };
}

export class Trainer {
  readonly config: RunConfig;
  readonly model: Mlp;
  private readonly pairs: PairSampler;
  private readonly validationPairs: PairSampler;
  private readonly coefficients: PathCoefficients;
  private readonly optimizer: AdamOptimizer;
  private readonly ema: Ema | null;
  private rng: Rng;
  private completed = 0;
  private validation: { input: tf.Tensor2D; target: tf.Tensor2D } | null = null;

  private constructor(config: RunConfig, pairs: PairSampler, model: Mlp, rng: Rng, validationPairs: PairSampler) {
    this.config = config;
    this.pairs = pairs;
    this.validationPairs = validationPairs;
    this.model = model;
    this.rng = rng;
    this.coefficients = pathCoefficients(config.method, config);
    this.optimizer = new AdamOptimizer(model.params, { name: config.optimizer, weightDecay: config.weightDecay, gradClip: config.gradClip });
    this.ema = config.ema > 0 ? new Ema(model.params, config.ema) : null;
  }

  /** `validationPairs` (default: the training pairs) feed validationLoss: held-out data when there is some. */
  static create(config: RunConfig, pairs: PairSampler, validationPairs: PairSampler = pairs): Trainer {
    const rng = new Rng(config.seed);
    const model = Mlp.create(mlpConfigOf(config, pairs.dim), rng);
    return new Trainer(config, pairs, model, rng, validationPairs);
  }

  static restore(config: RunConfig, pairs: PairSampler, ckpt: CheckpointData, validationPairs: PairSampler = pairs): Trainer {
    const model = Mlp.fromWeights(ckpt.model, ckpt.weights);
    const t = new Trainer(config, pairs, model, Rng.fromState(ckpt.rng), validationPairs);
    t.optimizer.setState(ckpt.optimizer);
    if (t.ema && ckpt.ema) t.ema.setWeights(ckpt.ema);
    t.completed = ckpt.step;
    return t;
  }

  get step(): number {
    return this.completed;
  }

  /** A batch's network input and regression target, drawn from `rng`. */
  private batch(n: number, rng: Rng, from: PairSampler = this.pairs): { input: Float32Array; target: Float32Array } {
    const { x0, x1 } = from.sample(n, rng);
    const t = rng.fillUniform(new Float32Array(x1.n));
    const eps = rng.fillNormal(new Float32Array(x1.n * x1.d));
    const { xt, ut } = samplePath(this.coefficients, x0, x1, t, eps);
    return { input: this.model.inputRows(xt.data, t, xt.n), target: ut.data };
  }

  /** One optimisation step. Throws a 'numeric' CfmError when the loss is not finite. */
  stepOnce(): StepResult {
    const { batch: n, lr: baseLr, lrSchedule, warmup, steps } = this.config;
    const lr = learningRate(this.completed, steps, baseLr, lrSchedule, warmup);
    const { input, target } = this.batch(n, this.rng);
    const d = this.pairs.dim;
    const lossTensor = tf.tidy(() => {
      const x = tf.tensor2d(input, [n, this.model.inputWidth]);
      const u = tf.tensor2d(target, [n, d]);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(this.model.forward(x), u)) as tf.Scalar, this.model.params);
      this.optimizer.apply(this.model.params.map((p) => grads[p.name]), lr);
      this.ema?.update(this.model.params, this.completed);
      return value;
    });
    const loss = lossTensor.dataSync()[0];
    lossTensor.dispose();
    if (!Number.isFinite(loss)) {
      throw new CfmError(
        'numeric',
        `loss became ${loss} at step ${this.completed + 1}; lower the learning rate (--lr) or clip gradients (--grad-clip 1)`,
        'lr',
      );
    }
    this.completed += 1;
    return { step: this.completed, loss, lr };
  }

  /** Loss of the current weights on a fixed held-out batch (same pairs, t and eps every call). */
  validationLoss(): number {
    if (!this.validation) {
      const rng = new Rng((this.config.seed + VALIDATION_SEED_OFFSET) | 0);
      const { input, target } = this.batch(VALIDATION_SIZE, rng, this.validationPairs);
      this.validation = {
        input: tf.tensor2d(input, [VALIDATION_SIZE, this.model.inputWidth]),
        target: tf.tensor2d(target, [VALIDATION_SIZE, this.pairs.dim]),
      };
    }
    const v = this.validation;
    const t = tf.tidy(() => tf.mean(tf.squaredDifference(this.model.forward(v.input), v.target)));
    const value = t.dataSync()[0];
    t.dispose();
    return value;
  }

  checkpoint(): CheckpointData {
    return {
      step: this.completed,
      model: this.model.config,
      weights: this.model.getWeights(),
      ema: this.ema?.getWeights() ?? null,
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
    };
  }

  /** Weights to sample with: the EMA ones when EMA is on. */
  samplingWeights(): Float32Array[] {
    return this.ema ? this.ema.getWeights() : this.model.getWeights();
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
    this.ema?.dispose();
    if (this.validation) tf.dispose([this.validation.input, this.validation.target]);
  }
}

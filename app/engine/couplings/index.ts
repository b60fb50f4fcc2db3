/**
 * makeCoupling(name, { reg }): the coupling a method asks for by name.
 * TorchCFM uses `exact` for otcfm and `sinkhorn` with reg = 2 sigma^2 for sbcfm;
 * reg is required for `sinkhorn` and ignored otherwise.
 */
import { invalid } from '../../errors.js';
import { exactCoupling } from './exact.js';
import { independentCoupling } from './independent.js';
import { sinkhornCoupling } from './sinkhorn.js';
import type { Coupling, CouplingName } from './types.js';
import { COUPLING_NAMES } from './types.js';

export type { Coupling, CouplingName } from './types.js';
export { COUPLING_NAMES } from './types.js';

export function makeCoupling(name: CouplingName, opts: { reg?: number } = {}): Coupling {
  switch (name) {
    case 'independent':
      return independentCoupling();
    case 'exact':
      return exactCoupling();
    case 'sinkhorn':
      if (opts.reg === undefined) {
        throw invalid('reg', 'the sinkhorn coupling needs reg (entropic regularisation > 0); sbcfm uses 2 sigma^2');
      }
      return sinkhornCoupling(opts.reg);
    default:
      throw invalid('coupling', `"${String(name)}" is not a coupling; use one of ${COUPLING_NAMES.join(', ')}`);
  }
}

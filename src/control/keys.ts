/** The signing key's rotation as the control plane offers it (kauth/key-set.ts does the work). */
import type { ControlContext } from './context.js';
import { parseRotateKeys } from './inputs.js';
import type { MockControl } from './types.js';

export function keyOperations({ signingKeys, log }: ControlContext): Pick<MockControl, 'rotateKeys'> {
  return {
    async rotateKeys(input) {
      const graceSeconds = parseRotateKeys(input);
      const result = await signingKeys.rotate(graceSeconds);
      log.info('signing key rotated', { kid: result.kid, graceSeconds });
      return result;
    },
  };
}

import { createOutboundGuard } from '@tributary/netguard';

/**
 * For tests against the simulator, which listens on loopback: the guard with private addresses
 * allowed (what `ALLOW_PRIVATE_INTEGRATION_HOSTS=true` gives a running service).
 */
export const simulatorGuard = createOutboundGuard({ allowPrivateHosts: true });

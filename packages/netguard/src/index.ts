// Which network addresses an integration may make us call (shared by the backend's base-URL
// check and the extractor's connect-time guard, so both refuse exactly the same addresses).
export { addressRefusal, hostOwnAddresses, isIpLiteral, normalizeAddress } from './classify.ts';
export { systemResolver, type Resolver } from './resolver.ts';
export { baseUrlProblem } from './base-url.ts';
export {
  createOutboundGuard,
  OutboundRefusedError,
  type OutboundGuard,
  type OutboundPolicy,
} from './outbound-guard.ts';

/**
 * The reader's learned profile: feedback links, storage, and the per-reader
 * ordering a send run calls. See README "Personal ranking".
 */
export { feedbackUrls, followTarget, type FeedbackUrls } from './links.ts';
export { clickUrl, clickTrackingOn, CLICK_TRACKING_NOTICE } from './click.ts';
export type { PaperFeatures } from '../digest/features.ts';
export { paperFeatures, type PaperSource } from './features.ts';
export { loadProfiles, loadProfile, SignalPapers, type Profile } from './profile.ts';
export { orderForReader, createOrderReader, type OrderReader, type OrderInput, type Ordered } from './order.ts';

// The one registration map from the PublishingTarget `type` enum to its publisher (style.md
// rule 1). A test asserts it holds exactly TARGET_TYPES.
import { type Publisher, type PublisherRegistry, TARGET_TYPES, type TargetType } from '../core/publishing.ts';
import { alertmanagerPublisher } from './alertmanager.ts';
import { pagerdutyPublisher } from './pagerduty.ts';
import { rootlyPublisher } from './rootly.ts';
import { slackPublisher } from './slack.ts';
import { webhookPublisher } from './webhook.ts';

const PUBLISHERS: Record<TargetType, Publisher> = {
  slack: slackPublisher,
  pagerduty: pagerdutyPublisher,
  rootly: rootlyPublisher,
  webhook: webhookPublisher,
  alertmanager: alertmanagerPublisher,
};

/** The registry of every publisher. */
export const publisherRegistry: PublisherRegistry = {
  get: (type) => PUBLISHERS[type],
  types: () => TARGET_TYPES,
};

/** The types the registry holds (compared with the CRD enum by a test). */
export function registeredTypes(): string[] {
  return Object.keys(PUBLISHERS).sort();
}

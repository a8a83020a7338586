import { Secret } from '../core/secret.ts';
import { kitTarget, runPublisherKit, SECRET } from '../../test/helpers/publisher-kit.ts';
import { webhookPublisher } from './webhook.ts';

runPublisherKit({
  publisher: webhookPublisher,
  target: (url) => kitTarget({ type: 'webhook', url: new Secret(`${url}/hook?token=${SECRET}`) }),
  success: { status: 200, body: '{}' },
});

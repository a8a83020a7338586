import { Secret } from '../core/secret.ts';
import { kitTarget, runPublisherKit } from '../../test/helpers/publisher-kit.ts';
import { alertmanagerPublisher } from './alertmanager.ts';

runPublisherKit({
  publisher: alertmanagerPublisher,
  target: (url) => kitTarget({ type: 'alertmanager', url: new Secret(url) }),
  success: { status: 200 },
});

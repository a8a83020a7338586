// The operator section: whether to run the Kubernetes controller, where its kubeconfig comes
// from, which namespaces it watches, and the Lease timings (client-go's defaults and rule).
import { z } from 'zod';
import { DNS1123, intIn } from './schema-parts.ts';

/** The operator section. */
export const operatorSchema = z
  .object({
    /** auto: on when a kubeconfig or in-cluster credentials are present. */
    mode: z.enum(['auto', 'on', 'off']).default('auto'),
    kubeconfig: z.string().min(1).optional(),
    /** Set by Kubernetes in every pod (KUBERNETES_SERVICE_HOST): in-cluster credentials exist. */
    inClusterHost: z.string().min(1).optional(),
    /** Watched namespaces; empty = the pod's namespace (or the kubeconfig context's). */
    namespaces: z.array(z.string().regex(DNS1123, 'must be a namespace name')).default([]),
    podName: z.string().min(1).optional(),
    podNamespace: z.string().regex(DNS1123, 'must be a namespace name').optional(),
    leaseName: z.string().regex(DNS1123, 'must be a DNS-1123 label').default('alert-history-leader'),
    leaseDurationSeconds: intIn(2, 3_600).default(15),
    renewDeadlineSeconds: intIn(1, 3_600).default(10),
    retryPeriodSeconds: intIn(1, 600).default(2),
    /** A watch stream silent this long (no event, no bookmark) is restarted: above the bookmark cadence (first ~2 min into a watch, then ~1 min). */
    watchdogSeconds: intIn(5, 3_600).default(180),
    /** Each watch asks the server to end it after [this, 2 x this) seconds, then resumes without a relist. */
    watchTimeoutSeconds: intIn(1, 3_600).default(300),
    /** Deadline of an ordinary API request (and of a watch's response headers; never of its stream). */
    requestTimeoutSeconds: intIn(1, 600).default(30),
    /** Delivery health and counts are written to CR status at most this often. */
    statusIntervalSeconds: intIn(5, 3_600).default(60),
  })
  .strict()
  .refine((o) => o.leaseDurationSeconds > o.renewDeadlineSeconds, {
    message: 'leaseDurationSeconds must be greater than renewDeadlineSeconds',
    path: ['leaseDurationSeconds'],
  })
  .refine((o) => o.renewDeadlineSeconds > 1.2 * o.retryPeriodSeconds, {
    message: 'renewDeadlineSeconds must be greater than 1.2 x retryPeriodSeconds',
    path: ['renewDeadlineSeconds'],
  })
  .prefault({});

import { Flags } from '@oclif/core';
import type { SqsSettingsInput } from '../eventbridge/sqs-settings.js';

const group = 'EVENTBRIDGE TWIN';

/** The `--sqs-*` flags of `aemm replay`: send every notice to SQS as its EventBridge event. */
export const sqsFlags = {
  'sqs-queue-url': Flags.string({
    description: 'Also send each notice as the EventBridge event AWS would deliver, to this SQS queue (e.g. moto on loopback).',
    helpGroup: group,
  }),
  'sqs-endpoint': Flags.string({
    description: "SQS endpoint, e.g. http://127.0.0.1:5000 (default: the queue URL's origin). Loopback only without --sqs-allow-remote.",
    helpGroup: group,
  }),
  'sqs-region': Flags.string({
    description: "Signing region of the SQS requests (default: the queue URL's, else the cassette's).",
    helpGroup: group,
  }),
  'sqs-allow-remote': Flags.boolean({
    description: 'Allow an SQS endpoint beyond loopback (aemm never needs real AWS; needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).',
    helpGroup: group,
  }),
  'sqs-asg-name': Flags.string({
    description:
      "Auto Scaling group named by the scale-in lifecycle event (default: the cassette's aws:autoscaling:groupName tag, else aemm-asg).",
    helpGroup: group,
  }),
  'sqs-hook-name': Flags.string({
    description: 'Lifecycle hook named by the scale-in lifecycle event (default aemm-terminate-hook).',
    helpGroup: group,
  }),
};

/** The flag each SQS setting comes from, for error messages. */
export const SQS_FLAG_NAMES: Record<string, string> = {
  queueUrl: '--sqs-queue-url',
  endpoint: '--sqs-endpoint',
  region: '--sqs-region',
  allowRemote: '--sqs-allow-remote',
  autoScalingGroupName: '--sqs-asg-name',
  lifecycleHookName: '--sqs-hook-name',
};

/** SQS settings from the flags that were given; undefined when none was. */
export function toSqsInput(flags: Partial<Record<keyof typeof sqsFlags, string | boolean | undefined>>): SqsSettingsInput | undefined {
  const input: SqsSettingsInput = Object.fromEntries(
    Object.entries({
      queueUrl: flags['sqs-queue-url'],
      endpoint: flags['sqs-endpoint'],
      region: flags['sqs-region'],
      allowRemote: flags['sqs-allow-remote'] || undefined,
      autoScalingGroupName: flags['sqs-asg-name'],
      lifecycleHookName: flags['sqs-hook-name'],
    }).filter(([, value]) => value !== undefined),
  );
  return Object.keys(input).length > 0 ? input : undefined;
}

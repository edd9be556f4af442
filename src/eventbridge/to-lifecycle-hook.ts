import type { LifecycleHook } from './list-occurrences.js';
import type { SqsSettingsInput } from './sqs-settings.js';

/** The scale-in hook names an `sqs` section gives (those that are text); the rest come from the cassette or the defaults. */
export function toLifecycleHook(sqs: SqsSettingsInput | undefined): Partial<LifecycleHook> {
  return {
    ...(typeof sqs?.autoScalingGroupName === 'string' ? { groupName: sqs.autoScalingGroupName } : {}),
    ...(typeof sqs?.lifecycleHookName === 'string' ? { hookName: sqs.lifecycleHookName } : {}),
    ...(typeof sqs?.notificationMetadata === 'string' ? { notificationMetadata: sqs.notificationMetadata } : {}),
  };
}

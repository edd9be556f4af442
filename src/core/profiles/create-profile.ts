import { UsageError } from '../errors.js';
import type { Profile, ProfileName } from '../profile.js';
import { createAemmProfile } from './aemm-profile.js';
import { createImdsProfile } from './imds-profile.js';

/** A fresh instance of a named profile (each engine keeps its own: profiles cache what they render). */
export function createProfile(name: ProfileName): Profile {
  if (name === 'imds') return createImdsProfile();
  if (name === 'aemm') return createAemmProfile();
  throw new UsageError(`Profile "${String(name)}" is unknown. Use "imds" or "aemm".`);
}

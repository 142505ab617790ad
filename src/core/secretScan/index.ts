export { findSecrets, MAX_HITS_PER_FILE, SECRET_KINDS, type SecretHit, type SecretKind } from './detect';
export { findAppKeyNear } from './appKey';
export { fileKindOf } from './fileKinds';

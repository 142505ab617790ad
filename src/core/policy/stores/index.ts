export { CounterStoreUnavailable, type CounterStore, type Reservation, type StoreCharge, type StoreKind, type StoreState } from './types';
export { MemoryCounterStore } from './memory';
export { FileCounterStore } from './file';
export { RedisCounterStore, redisLocation } from './redis';
export { counterFilePath, counterStoreFrom, defaultStateDir } from './choose';

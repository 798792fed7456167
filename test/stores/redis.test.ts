// The Redis store passes the same BudgetStore contract as the memory store, on a real Redis.
import { budgetStoreContract } from './contract.js';
import { describeRedis, dropPrefix, redisStore, uniquePrefix } from './redis-env.js';

budgetStoreContract(
  'RedisStore',
  async (clock) => {
    const prefix = uniquePrefix();
    const store = await redisStore({ prefix, clock });
    const close = store.close.bind(store);
    return Object.assign(store, { close: () => close().then(() => dropPrefix(prefix)) });
  },
  describeRedis,
);

export { redisFromEnv, type RedisOption } from './redis-from-env.js';

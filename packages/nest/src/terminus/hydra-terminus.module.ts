import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HydraHealthIndicator } from './hydra.health-indicator.js';

/**
 * Provides {@link HydraHealthIndicator} (and re-exports `TerminusModule`, so `HealthCheckService` is
 * injectable too). Needs `HydraModule` (global) imported somewhere in the application.
 *
 * @example
 * @Module({
 *   imports: [HydraModule.forRoot({ serviceName: 'users-svc' }), HydraTerminusModule],
 *   controllers: [HealthController],
 * })
 * class AppModule {}
 */
@Module({
  imports: [TerminusModule],
  providers: [HydraHealthIndicator],
  exports: [HydraHealthIndicator, TerminusModule],
})
export class HydraTerminusModule {}

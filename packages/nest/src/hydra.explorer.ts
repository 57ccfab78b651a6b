import { Injectable, type RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import {
  ApplicationConfig,
  MetadataScanner,
  ModulesContainer,
  DiscoveryService as NestDiscoveryService,
  Reflector,
} from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';
import { Route } from './decorators/route.decorator.js';
import type { RouteOptions } from './interfaces/route-options.interface.js';
import { toHydraRoutes } from './utils/hydra-route-strings.js';

/**
 * Finds the HTTP handlers marked with {@link Route} and turns them into Hydra route strings.
 *
 * Paths are built by Nest's own `RoutePathFactory`, from the same metadata Nest routes with: the global
 * prefix (and its `exclude` list), `RouterModule` paths, URI versioning, controller and method paths
 * (path arrays included). So a published route is exactly where Nest serves the handler. Run it after
 * the application is configured (`setGlobalPrefix`, `enableVersioning`), i.e. at bootstrap.
 */
@Injectable()
export class HydraExplorer {
  constructor(
    private readonly discovery: NestDiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly config: ApplicationConfig,
    private readonly modules: ModulesContainer,
  ) {}

  /**
   * Route strings of every `@Route()` handler, in controller order, without duplicates.
   *
   * @example
   * explorer.explore(); // ['[get]/api/v1/users/:id', '[post]/api/v1/users']
   */
  explore(): string[] {
    const paths = new RoutePathFactory(this.config);
    const routes = this.discovery
      .getControllers()
      .flatMap((wrapper) => this.controllerRoutes(wrapper, paths));
    return [...new Set(routes)];
  }

  private controllerRoutes(wrapper: InstanceWrapper, paths: RoutePathFactory): string[] {
    const controller = wrapper.metatype;
    if (typeof controller !== 'function' || !controller.prototype) return [];
    const classOptions = this.routeOptions(controller);
    const prototype = controller.prototype as Record<string, unknown>;
    const ctrlPaths = this.controllerPaths(controller);
    const modulePath = this.modulePath(wrapper);
    const globalPrefix = this.config.getGlobalPrefix();
    const versioningOptions = this.config.getVersioning();
    // As Nest's RoutesResolver: the controller's version, else the default one, only when versioning is on.
    const controllerVersion = versioningOptions
      ? (Reflect.getMetadata(VERSION_METADATA, controller) ?? versioningOptions.defaultVersion)
      : undefined;

    return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      if (typeof handler !== 'function') return [];
      const methodPath: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, handler);
      const requestMethod: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, handler);
      if (methodPath === undefined || requestMethod === undefined) return [];
      const options = this.routeOptions(handler) ?? classOptions;
      if (!options || options.publish === false) return [];
      const methodVersion = Reflect.getMetadata(VERSION_METADATA, handler);
      const methodPaths = Array.isArray(methodPath) ? methodPath : [methodPath];
      const fullPaths = ctrlPaths.flatMap((ctrlPath) =>
        methodPaths.flatMap((path) =>
          paths.create(
            {
              ctrlPath,
              methodPath: path,
              modulePath,
              globalPrefix,
              controllerVersion,
              methodVersion,
              versioningOptions,
            },
            requestMethod,
          ),
        ),
      );
      return toHydraRoutes(requestMethod, fullPaths);
    });
  }

  private routeOptions(target: object): RouteOptions | undefined {
    return this.reflector.get<RouteOptions | undefined>(Route.KEY, target as () => unknown);
  }

  private controllerPaths(controller: object): string[] {
    const path: string | string[] | undefined = Reflect.getMetadata(PATH_METADATA, controller);
    if (path === undefined) return ['/'];
    return Array.isArray(path) ? path : [path];
  }

  private modulePath(wrapper: InstanceWrapper): string | undefined {
    const moduleClass = wrapper.host?.metatype;
    if (!moduleClass) return undefined;
    return (
      Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, moduleClass) ??
      Reflect.getMetadata(MODULE_PATH, moduleClass)
    );
  }
}

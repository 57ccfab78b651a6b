/** The version of `@hydra-nest/cli`: `hydra-nest --version`, and what it publishes when it registers. */
export const CLI_VERSION = '0.1.0';

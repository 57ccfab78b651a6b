/** The hydra-nest operator command line, as a library (the `hydra-nest` bin is built on it). */
export {};

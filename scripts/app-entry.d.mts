/** Every workspace with sources has a build no older than its newest source file. */
export declare const buildIsFresh: () => boolean
/** The Node arguments that run `entry` (an absolute path to a workspace's `src/….ts`): from its fresh build, else through tsx. */
export declare const nodeArgsFor: (entry: string) => Array<string>

// A named import: the bundler inlines this one field, not the whole package.json.
import { version } from '../package.json';

/** The version of @fracture/cli that is running, as `fracture --version` prints it. */
export const CLI_VERSION: string = version;

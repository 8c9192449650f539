import { chooseBackend } from './backend-plain';
import { runModelsBench } from './models-bench';

await runModelsBench(chooseBackend);
process.exit(0);

import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startProductSubgraph } from './subgraph';

const config = loadConfigOrExit(process.env, 'product');
const logger = createLogger(config, 'product');
void runMain(logger, () => startProductSubgraph(config, logger), config.SHUTDOWN_GRACE_MS);

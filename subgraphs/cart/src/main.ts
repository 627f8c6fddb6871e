import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startCartSubgraph } from './subgraph';

const config = loadConfigOrExit();
const logger = createLogger(config, 'cart');
void runMain(logger, () => startCartSubgraph(config, logger), config.SHUTDOWN_GRACE_MS);

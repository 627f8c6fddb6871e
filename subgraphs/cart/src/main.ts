import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startCartSubgraph } from './subgraph';

const config = loadConfigOrExit(process.env, 'cart');
const logger = createLogger(config, 'cart');
void runMain(logger, () => startCartSubgraph(config, logger), config.SHUTDOWN_GRACE_MS);

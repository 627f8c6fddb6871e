import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startOrderSubgraph } from './subgraph';

const config = loadConfigOrExit(process.env, 'order');
const logger = createLogger(config, 'order');
void runMain(logger, () => startOrderSubgraph(config, logger), config.SHUTDOWN_GRACE_MS);

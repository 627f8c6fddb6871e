import { createLogger, loadConfigOrExit, runMain } from '@flashsale/platform';
import { startUserSubgraph } from './subgraph';

const config = loadConfigOrExit(process.env, 'user');
const logger = createLogger(config, 'user');
void runMain(logger, () => startUserSubgraph(config, logger), config.SHUTDOWN_GRACE_MS);
